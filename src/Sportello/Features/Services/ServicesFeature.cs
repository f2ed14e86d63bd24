using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;

namespace Sportello.Features.Services;

public static class ServicesFeature
{
    public static WebApplicationBuilder AddServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AddService>();
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

    public static Task<List<Service>> OfCustomerAsync(SportelloDb db, Guid customerId, CancellationToken cancellationToken) =>
        db.Services.Include(s => s.Addresses).Where(s => s.CustomerId == customerId)
            .OrderBy(s => s.Name).ThenBy(s => s.OrderNumber).AsNoTracking().ToListAsync(cancellationToken);

    private static async Task<Ok<List<ServiceResponse>>> ListOwnAsync(HttpContext http, SportelloDb db) =>
        TypedResults.Ok((await OfCustomerAsync(db, http.User.UserId(), http.RequestAborted)).Select(ServiceResponse.From).ToList());

    private static async Task<Results<Ok<List<ServiceResponse>>, NotFound>> ListOfCustomerAsync(Guid customerId, SportelloDb db, CancellationToken cancellationToken)
    {
        if (!await AccountsApi.CustomersQuery(db).AnyAsync(u => u.Id == customerId, cancellationToken))
        {
            return TypedResults.NotFound();
        }
        return TypedResults.Ok((await OfCustomerAsync(db, customerId, cancellationToken)).Select(ServiceResponse.From).ToList());
    }

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
