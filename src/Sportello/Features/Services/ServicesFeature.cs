using Microsoft.AspNetCore.Http.HttpResults;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Services;

public static class ServicesFeature
{
    public static WebApplicationBuilder AddServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AddService>();
        builder.Services.AddScoped<ListServices>();
        return builder;
    }

    public static RouteGroupBuilder MapServicesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/services", ListOwnAsync).RequireAuthorization(Policies.ApiCustomer).WithTags("Services");
        var admin = api.MapGroup("/admin/customers/{customerId:guid}/services").RequireAuthorization(Policies.ApiAdmin).WithTags("Admin");
        admin.MapPost("/", AddAsync);
        admin.MapGet("/", ListOfCustomerAsync);
        return api;
    }

    private static Task<Results<Ok<List<ServiceResponse>>, ValidationProblem>> ListOwnAsync(
        HttpContext http, CurrentUser current, ListServices list, int? limit, string? cursor) =>
        Page.ListAsync(http, limit, cursor, page => list.PageAsync(current.Id, page, http.RequestAborted));

    private static Task<Results<Ok<List<ServiceResponse>>, ValidationProblem, NotFound>> ListOfCustomerAsync(
        Guid customerId, HttpContext http, ReadCustomer customers, ListServices list, int? limit, string? cursor) =>
        Page.ListOfAsync(http, limit, cursor, () => customers.ExistsAsync(customerId, http.RequestAborted),
            page => list.PageAsync(customerId, page, http.RequestAborted));

    private static async Task<Results<Created<ServiceResponse>, ValidationProblem, NotFound>> AddAsync(
        Guid customerId, AddServiceRequest request, AddService addService, CancellationToken cancellationToken)
    {
        var outcome = await addService.HandleAsync(customerId, request, cancellationToken);
        if (outcome is null)
        {
            return TypedResults.NotFound();
        }
        return outcome.Value is { } service
            ? TypedResults.Created($"/api/v1/admin/customers/{customerId}/services/{service.Id}", ServiceResponse.From(service))
            : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());
    }
}
