using Microsoft.AspNetCore.Mvc.ModelBinding;
using Sportello.Features.Billing;
using Sportello.Features.Billing.Pages;
using Sportello.Web;

namespace Sportello.Features.Admin;

/// <summary>One line row of the admins' invoice and order forms, as typed: a refused form shows it back unchanged.</summary>
public sealed class LineInput
{
    public string? Description { get; set; }
    public string? Amount { get; set; }
    /// <summary>Orders only: one of the customer's services, by name or id.</summary>
    public string? Service { get; set; }

    public bool IsBlank => string.IsNullOrWhiteSpace(Description) && string.IsNullOrWhiteSpace(Amount) && string.IsNullOrWhiteSpace(Service);
}

/// <summary>What the admins' billing forms share: line rows without JavaScript (blank ones ignored), amounts typed in euro, errors on fields.</summary>
public static class BillingForm
{
    /// <summary>Blank rows a form always offers.</summary>
    public const int BlankRows = 5;

    /// <summary>The rows typed, in order, without the blank ones: what is checked, and what field errors are numbered by.</summary>
    public static List<LineInput> Typed(List<LineInput> rows) => [.. rows.Where(r => r is not null && !r.IsBlank)];

    /// <summary>The typed rows followed by blank ones: at least <see cref="BlankRows"/> rows, and <paramref name="extra"/> blank after the typed.</summary>
    public static List<LineInput> Padded(List<LineInput> typed, int extra = 1)
    {
        var rows = new List<LineInput>(typed);
        var count = Math.Min(IssueInvoice.MaxLines, Math.Max(BlankRows, typed.Count + extra));
        while (rows.Count < count)
        {
            rows.Add(new LineInput());
        }
        return rows;
    }

    /// <summary>Each typed row's amount in cents (null where it is refused, with the error on <c>lines[i].Amount</c>).</summary>
    public static List<long?> Amounts(List<LineInput> typed, ValidationErrors errors) =>
        [.. typed.Select((row, i) => NetAmount.Parse(row.Amount, BillingPage.Language, errors, $"lines[{i}].Amount"))];

    /// <summary>The first error on a field, or null.</summary>
    public static string? ErrorOf(this ModelStateDictionary state, string key) =>
        state.TryGetValue(key, out var entry) && entry.Errors.Count > 0 ? entry.Errors[0].ErrorMessage : null;

    /// <summary><c>aria-describedby</c> of a field: its error when it has one, then its hint.</summary>
    public static string? DescribedBy(string? error, string errorId, string? hintId = null) =>
        string.Join(' ', new[] { error is null ? null : errorId, hintId }.OfType<string>()) is { Length: > 0 } ids ? ids : null;
}

/// <summary>What <c>_LineRows.cshtml</c> draws.</summary>
public sealed record LineRows(List<LineInput> Lines, bool WithService);
