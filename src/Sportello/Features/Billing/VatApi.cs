using Microsoft.AspNetCore.Http.HttpResults;
using Sportello.Features.Accounts;

namespace Sportello.Features.Billing;

/// <summary>Public VAT rates and quotes under /vat; admins keep the rates under /admin/vat-rates.</summary>
public static class VatApi
{
    public static RouteGroupBuilder MapVatApi(this RouteGroupBuilder api)
    {
        var vat = api.MapGroup("/vat").AllowAnonymous().WithTags("VAT");
        vat.MapGet("/rates", RatesAsync);
        vat.MapGet("/quote", QuoteAsync);

        var admin = api.MapGroup("/admin/vat-rates").RequireAuthorization(Policies.ApiAdmin).WithTags("VAT");
        admin.MapPost("/", AddAsync);
        admin.MapDelete("/{rateId:guid}", WithdrawAsync);
        admin.MapGet("/changes", ChangesAsync);
        return api;
    }

    private static string Language() => System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "it" ? "it" : "en";

    private static async Task<Results<Ok<List<VatRateView>>, ValidationProblem>> RatesAsync(string? country, ReadVatRates read, CancellationToken cancellationToken) =>
        await read.HandleAsync(country, Language(), cancellationToken) switch
        {
            { Value: { } rows } => TypedResults.Ok(rows),
            var invalid => TypedResults.ValidationProblem(invalid.Errors.ToDictionary()),
        };

    private static async Task<Results<Ok<VatQuote>, ValidationProblem, ProblemHttpResult>> QuoteAsync(
        string? country, string? netCents, string? vatId, string? date, QuoteVat quote, CancellationToken cancellationToken) =>
        await quote.HandleAsync(country, netCents, vatId, date, cancellationToken) switch
        {
            { Value: { } quoted } => TypedResults.Ok(quoted),
            { CannotBeDone: true } cannot => TypedResults.Problem(new HttpValidationProblemDetails(cannot.Errors.ToDictionary())
            {
                Status = StatusCodes.Status422UnprocessableEntity, Title = "No known VAT rate",
            }),
            var invalid => TypedResults.ValidationProblem(invalid.Errors.ToDictionary()),
        };

    private static async Task<Results<Created<VatRateView>, ValidationProblem>> AddAsync(
        VatRateRequest request, CurrentUser current, ChangeVatRates change, CancellationToken cancellationToken) =>
        await change.AddAsync(current.Id, request, cancellationToken) switch
        {
            { Value: { } rate } => TypedResults.Created($"/api/v1/vat/rates?country={rate.Country}", rate),
            var invalid => TypedResults.ValidationProblem(invalid.Errors.ToDictionary()),
        };

    private static async Task<Results<Ok<VatRateView>, ValidationProblem, NotFound>> WithdrawAsync(
        Guid rateId, CurrentUser current, ChangeVatRates change, CancellationToken cancellationToken) =>
        await change.WithdrawAsync(current.Id, rateId, cancellationToken) switch
        {
            null => TypedResults.NotFound(),
            { Value: { } rate } => TypedResults.Ok(rate),
            var invalid => TypedResults.ValidationProblem(invalid.Errors.ToDictionary()),
        };

    private static async Task<Ok<List<VatRateChangeView>>> ChangesAsync(ChangeVatRates change, CancellationToken cancellationToken) =>
        TypedResults.Ok(await change.ChangesAsync(cancellationToken));
}
