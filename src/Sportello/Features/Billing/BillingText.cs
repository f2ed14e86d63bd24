using System.Globalization;

namespace Sportello.Features.Billing;

/// <summary>Amounts in euro as the reader of that language writes them: <c>€ 1.234,56</c> in Italian, <c>€1,234.56</c> in English.</summary>
public static class BillingText
{
    private static readonly CultureInfo Italian = CultureInfo.GetCultureInfo("it-IT");
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-GB");

    public static string Money(long cents, string language)
    {
        var italian = language == "it";
        var amount = (Math.Abs((decimal)cents) / 100m).ToString("N2", italian ? Italian : English);
        var sign = cents < 0 ? "-" : "";
        return italian ? $"{sign}€ {amount}" : $"{sign}€{amount}";
    }

    /// <summary>A rate in basis points as a percentage: <c>22 %</c>, <c>25,5 %</c> in Italian.</summary>
    public static string Rate(int basisPoints, string language) =>
        (basisPoints / 100m).ToString("0.##", language == "it" ? Italian : English) + " %";

    /// <summary>A date as the reader of that language writes it: <c>05/12/2026</c>, <c>5 December 2026</c>.</summary>
    public static string Date(DateOnly date, string language) =>
        language == "it" ? date.ToString("dd/MM/yyyy", Italian) : date.ToString("d MMMM yyyy", English);
}
