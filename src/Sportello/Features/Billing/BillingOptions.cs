namespace Sportello.Features.Billing;

/// <summary><c>Sportello:Billing</c>: who sells, for VAT.</summary>
public sealed class BillingOptions
{
    public const string Section = "Sportello:Billing";
    /// <summary>The provider's own country, ISO 3166-1 alpha-2 (CONTRACT.md).</summary>
    public string SellerCountry { get; set; } = "IT";
    /// <summary>The seller's zone: "today" for a quote or an invoice is the date there.</summary>
    public string TimeZone { get; set; } = "Europe/Rome";
    /// <summary>The seller as invoices name it.</summary>
    public string SellerName { get; set; } = "Sportello Hosting S.r.l.";
    public string SellerAddress { get; set; } = "Via Example 1, 20121 Milano MI, Italia";
    public string SellerVatId { get; set; } = "IT00743110157";
    /// <summary>The online check of buyers' EU VAT ids (off unless configured).</summary>
    public ViesOptions Vies { get; set; } = new();
}
