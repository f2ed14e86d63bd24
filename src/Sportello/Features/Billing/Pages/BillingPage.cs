using System.Globalization;
using NodaTime;

namespace Sportello.Features.Billing.Pages;

/// <summary>What the billing pages share: the reader's language and dates in the reader's zone.</summary>
public static class BillingPage
{
    /// <summary><c>it</c> or <c>en</c>: the language of the page, which amounts and dates follow (<see cref="BillingText"/>).</summary>
    public static string Language => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "it" ? "it" : "en";

    /// <summary>The day an instant fell on in <paramref name="timeZone"/>, written as the reader writes dates.</summary>
    public static string LocalDate(DateTime utc, string timeZone)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone) ?? DateTimeZone.Utc;
        var day = Instant.FromDateTimeUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).InZone(zone).Date.ToDateOnly();
        return BillingText.Date(day, Language);
    }

    public static string Money(long cents) => BillingText.Money(cents, Language);

    public static string Rate(int basisPoints) => BillingText.Rate(basisPoints, Language);
}

/// <summary>
/// What <c>_InvoiceDocument.cshtml</c> draws: the document, the order it bills, and where its links lead (the customer's
/// pages or the admins'; no order link when <paramref name="OrdersPath"/> is null).
/// </summary>
public sealed record InvoiceDocument(InvoiceDetail Invoice, OrderView? Order, string InvoicesPath, string? OrdersPath);
