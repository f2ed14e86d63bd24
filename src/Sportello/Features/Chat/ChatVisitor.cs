using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Mail;
using Sportello.Web;

namespace Sportello.Features.Chat;

/// <summary>
/// What a visitor tells the widget before a chat or a message, checked once for both: the department, the first
/// message, an optional name and email, and who they are (a site's signed customer token, or the Client Area session).
/// </summary>
public sealed class ChatVisitor(SportelloDb db, CustomerTokens customerTokens)
{
    public sealed record Details(string Department, string Message, string? Name, string? Email, Guid? CustomerId);

    /// <summary>The details, or null with <paramref name="errors"/> naming each bad field.</summary>
    public async Task<Details?> ReadAsync(
        string? department, string? message, string? name, string? email, string? customerToken, Guid? signedInCustomer, string? origin,
        ValidationErrors errors, CancellationToken cancellationToken = default)
    {
        var key = string.IsNullOrWhiteSpace(department) ? Departments.Technical : department.Trim().ToLowerInvariant();
        if (!StartChat.Departments.Contains(key))
        {
            errors.Add("department", "department must be 'technical' or 'financial'.");
        }
        var text = message?.Trim() ?? "";
        if (text.Length == 0)
        {
            errors.Add("message", "message is required.");
        }
        else if (text.Length > StartChat.MaxBody)
        {
            errors.Add("message", "message is at most {0} characters.", StartChat.MaxBody);
        }
        var cleanName = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
        if (cleanName?.Length > 100)
        {
            errors.Add("name", "name is at most 100 characters.");
        }
        string? cleanEmail = null;
        if (!string.IsNullOrWhiteSpace(email) && (cleanEmail = EmailAddresses.Normalize(email)) is null)
        {
            errors.Add("email", "email is not an email address.");
        }
        var customerId = signedInCustomer;
        if (!string.IsNullOrEmpty(customerToken))
        {
            // Never a bare id from the page: only a token the site signed, for a customer that exists.
            customerId = customerTokens.Verify(customerToken, origin);
            if (customerId is null || !await Customers.Query(db).AnyAsync(u => u.Id == customerId, cancellationToken))
            {
                errors.Add("customerToken", "customerToken is not valid: forged, expired, or for no customer.");
            }
        }
        return errors.Any ? null : new Details(key, text, cleanName, cleanEmail, customerId);
    }
}
