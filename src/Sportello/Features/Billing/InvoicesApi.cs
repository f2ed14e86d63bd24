using Microsoft.AspNetCore.Http.HttpResults;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Billing;

/// <summary>Customers read their invoices under /invoices; admins issue under /admin/invoices. No route changes an issued one.</summary>
public static class InvoicesApi
{
    public static RouteGroupBuilder MapInvoicesApi(this RouteGroupBuilder api)
    {
        var mine = api.MapGroup("/invoices").RequireAuthorization(Policies.ApiCustomer).WithTags("Billing");
        mine.MapGet("/", ListMineAsync);
        mine.MapGet("/{invoiceId:guid}", GetMineAsync);
        mine.MapGet("/{invoiceId:guid}/pdf", PdfMineAsync);
        var billing = api.MapGroup("/account/billing").RequireAuthorization(Policies.ApiCustomer).WithTags("Account");
        billing.MapGet("/", GetBillingAsync);
        billing.MapPut("/", SetBillingAsync);

        var admin = api.MapGroup("/admin/invoices").RequireAuthorization(Policies.ApiAdmin).WithTags("Billing");
        admin.MapGet("/", ListAsync);
        admin.MapPost("/", IssueAsync);
        admin.MapGet("/{invoiceId:guid}", GetAsync);
        admin.MapGet("/{invoiceId:guid}/pdf", PdfAnyAsync);
        admin.MapPost("/{invoiceId:guid}/credit-note", CreditAsync);

        var orders = api.MapGroup("/orders").RequireAuthorization(Policies.ApiCustomer).WithTags("Billing");
        orders.MapGet("/", ListMyOrdersAsync);
        orders.MapGet("/{orderId:guid}", GetMyOrderAsync);
        var adminOrders = api.MapGroup("/admin/orders").RequireAuthorization(Policies.ApiAdmin).WithTags("Billing");
        adminOrders.MapGet("/", ListOrdersAsync);
        adminOrders.MapPost("/", PlaceOrderAsync);
        adminOrders.MapGet("/{orderId:guid}", GetOrderAsync);
        return api;
    }

    private static Task<Results<Ok<List<InvoiceSummary>>, ValidationProblem>> ListMineAsync(
        HttpContext http, int? limit, string? cursor, CurrentUser current, ReadInvoices read, CancellationToken cancellationToken) =>
        Page.ListAsync(http, limit, cursor, page => read.ListAsync(current.Id, page, cancellationToken));

    private static async Task<Results<Ok<InvoiceDetail>, NotFound>> GetMineAsync(Guid invoiceId, CurrentUser current, ReadInvoices read, CancellationToken cancellationToken) =>
        await read.DetailAsync(invoiceId, current.Id, cancellationToken) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound();

    private static Task<Results<FileContentHttpResult, NotFound>> PdfMineAsync(
        Guid invoiceId, HttpContext http, CurrentUser current, DownloadInvoicePdf download, CancellationToken cancellationToken) =>
        PdfFileAsync(http, download.HandleAsync(invoiceId, current.Id, cancellationToken));

    private static Task<Results<FileContentHttpResult, NotFound>> PdfAnyAsync(
        Guid invoiceId, HttpContext http, DownloadInvoicePdf download, CancellationToken cancellationToken) =>
        PdfFileAsync(http, download.HandleAsync(invoiceId, null, cancellationToken));

    private static async Task<Results<FileContentHttpResult, NotFound>> PdfFileAsync(HttpContext http, Task<InvoicePdfFile?> download)
    {
        if (await download is not { } file)
        {
            return TypedResults.NotFound();
        }
        // A bill is the customer's business: no shared cache keeps a copy.
        http.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.File(file.Content, "application/pdf", file.FileName);
    }

    private static Task<Results<Ok<List<OrderView>>, ValidationProblem>> ListMyOrdersAsync(
        HttpContext http, int? limit, string? cursor, CurrentUser current, PlaceOrder orders, CancellationToken cancellationToken) =>
        Page.ListAsync(http, limit, cursor, page => orders.ListAsync(current.Id, page, cancellationToken));

    private static async Task<Results<Ok<OrderView>, NotFound>> GetMyOrderAsync(Guid orderId, CurrentUser current, PlaceOrder orders, CancellationToken cancellationToken) =>
        await orders.FindAsync(orderId, current.Id, cancellationToken) is { } order ? TypedResults.Ok(order) : TypedResults.NotFound();

    private static Task<Results<Ok<List<OrderView>>, ValidationProblem>> ListOrdersAsync(
        HttpContext http, int? limit, string? cursor, Guid? customerId, PlaceOrder orders, CancellationToken cancellationToken) =>
        Page.ListAsync(http, limit, cursor, page => orders.ListAsync(customerId, page, cancellationToken));

    private static async Task<Results<Ok<OrderView>, NotFound>> GetOrderAsync(Guid orderId, PlaceOrder orders, CancellationToken cancellationToken) =>
        await orders.FindAsync(orderId, null, cancellationToken) is { } order ? TypedResults.Ok(order) : TypedResults.NotFound();

    private static async Task<Results<Created<OrderView>, ValidationProblem>> PlaceOrderAsync(
        OrderRequest request, CurrentUser current, PlaceOrder orders, CancellationToken cancellationToken) =>
        await orders.HandleAsync(current.Id, request, cancellationToken) switch
        {
            { Value: { } order } => TypedResults.Created($"/api/v1/admin/orders/{order.Id}", OrderView.From(order)),
            var invalid => TypedResults.ValidationProblem(invalid.Errors.ToDictionary()),
        };

    private static async Task<Results<Ok<BillingDetailsView>, NotFound>> GetBillingAsync(CurrentUser current, BillingDetails details, CancellationToken cancellationToken) =>
        await details.GetAsync(current.Id, cancellationToken) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();

    private static async Task<Results<Ok<BillingDetailsView>, ValidationProblem>> SetBillingAsync(
        BillingDetailsView request, CurrentUser current, BillingDetails details, CancellationToken cancellationToken) =>
        await details.SetAsync(current.Id, request, cancellationToken) switch
        {
            { Value: { } view } => TypedResults.Ok(view),
            var invalid => TypedResults.ValidationProblem(invalid.Errors.ToDictionary()),
        };

    private static Task<Results<Ok<List<InvoiceSummary>>, ValidationProblem>> ListAsync(
        HttpContext http, int? limit, string? cursor, Guid? customerId, ReadInvoices read, CancellationToken cancellationToken) =>
        Page.ListAsync(http, limit, cursor, page => read.ListAsync(customerId, page, cancellationToken));

    private static async Task<Results<Ok<InvoiceDetail>, NotFound>> GetAsync(Guid invoiceId, ReadInvoices read, CancellationToken cancellationToken) =>
        await read.DetailAsync(invoiceId, null, cancellationToken) is { } detail ? TypedResults.Ok(detail) : TypedResults.NotFound();

    private static async Task<IResult> IssueAsync(InvoiceRequest request, CurrentUser current, IssueInvoice issue, ReadInvoices read, CancellationToken cancellationToken) =>
        await AnswerAsync(await issue.HandleAsync(current.Id, request, cancellationToken), read, cancellationToken);

    private static async Task<IResult> CreditAsync(
        Guid invoiceId, CreditNoteRequest request, CurrentUser current, IssueInvoice issue, ReadInvoices read, CancellationToken cancellationToken) =>
        await issue.CreditAsync(current.Id, invoiceId, request, cancellationToken) is { } outcome
            ? await AnswerAsync(outcome, read, cancellationToken)
            : TypedResults.NotFound();

    private static async Task<IResult> AnswerAsync(Outcome<Invoice> outcome, ReadInvoices read, CancellationToken cancellationToken) => outcome switch
    {
        { Value: { } invoice } => TypedResults.Created($"/api/v1/admin/invoices/{invoice.Id}",
            await read.DetailAsync(invoice.Id, null, cancellationToken)),
        { CannotBeDone: true } cannot => TypedResults.Problem(new HttpValidationProblemDetails(cannot.Errors.ToDictionary())
        {
            Status = StatusCodes.Status422UnprocessableEntity, Title = "No known VAT rate",
        }),
        _ => TypedResults.ValidationProblem(outcome.Errors.ToDictionary()),
    };
}
