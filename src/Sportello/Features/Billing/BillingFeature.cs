namespace Sportello.Features.Billing;

public static class BillingFeature
{
    public static WebApplicationBuilder AddBilling(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<BillingOptions>(builder.Configuration.GetSection(BillingOptions.Section));
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
