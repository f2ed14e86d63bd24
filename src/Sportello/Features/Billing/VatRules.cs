namespace Sportello.Features.Billing;

/// <summary>Which rule taxes a sale: <c>consumer</c>, <c>domestic</c>, <c>reverse-charge</c> or <c>out-of-scope</c>.</summary>
public static class VatRuleKinds
{
    public const string Consumer = "consumer";
    public const string Domestic = "domestic";
    public const string ReverseCharge = "reverse-charge";
    public const string OutOfScope = "out-of-scope";
}

/// <summary>
/// Who pays what, for electronically supplied services sold from <c>seller</c>. A consumer in the EU pays the rate of
/// their own country (where the service is used); a business in the seller's own country pays the local rate; a
/// business in another EU state with a valid VAT id pays nothing and accounts for the VAT itself (reverse charge,
/// Art. 196 of Directive 2006/112/EC); a buyer outside the EU pays nothing (out of scope of EU VAT).
/// </summary>
public static class VatRules
{
    /// <param name="buyerCountry">An assigned ISO code.</param>
    /// <param name="business">The buyer gave a valid VAT id.</param>
    public static string Decide(string seller, string buyerCountry, bool business) =>
        !VatCountries.IsEu(buyerCountry) ? VatRuleKinds.OutOfScope
        : !business ? VatRuleKinds.Consumer
        : buyerCountry == seller ? VatRuleKinds.Domestic
        : VatRuleKinds.ReverseCharge;

    /// <summary>The mention an invoice must carry under <paramref name="rule"/>, in English; null when none.</summary>
    public static string? Mention(string rule) => rule switch
    {
        VatRuleKinds.ReverseCharge => "Reverse charge: VAT to be accounted for by the recipient, Art. 196 of Directive 2006/112/EC.",
        VatRuleKinds.OutOfScope => "Out of scope of EU VAT: services supplied to a customer established outside the European Union.",
        _ => null,
    };

    /// <summary>
    /// The VAT of one line: net × rate, rounded half-up to the cent (half away from zero, so a credit note mirrors its
    /// invoice exactly). Invoices round each line, then add the lines' VAT.
    /// </summary>
    public static long VatCents(long netCents, int rateBasisPoints) =>
        (long)Math.Round(netCents * (decimal)rateBasisPoints / 10_000m, MidpointRounding.AwayFromZero);
}
