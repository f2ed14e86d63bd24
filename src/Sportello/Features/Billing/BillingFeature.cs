namespace Sportello.Features.Billing;

public static class BillingFeature
{
    public static WebApplicationBuilder AddBilling(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<BillingOptions>(builder.Configuration.GetSection(BillingOptions.Section));
        // A VIES address that is not an absolute http(s) URL stops the start, rather than failing each invoice later.
        builder.Services.AddOptions<BillingOptions>()
            .Validate(o => ViesOptions.IsValidUrl(o.Vies.Url), "Sportello:Billing:Vies:Url must be an absolute http or https URL (or empty for no online check).")
            .ValidateOnStart();
        builder.Services.AddScoped<ReadVatRates>();
        builder.Services.AddScoped<QuoteVat>();
        builder.Services.AddScoped<ChangeVatRates>();
        builder.Services.AddScoped<IssueInvoice>();
        builder.Services.AddScoped<ReadInvoices>();
        builder.Services.AddScoped<InvoicePdf>();
        builder.Services.AddScoped<DownloadInvoicePdf>();
        builder.Services.AddScoped<BillingMails>();
        builder.Services.AddScoped<BillingDetails>();
        builder.Services.AddScoped<PlaceOrder>();
        builder.Services.AddHttpClient<IVatIdRegistry, ViesRegistry>();
        return builder;
    }
}
