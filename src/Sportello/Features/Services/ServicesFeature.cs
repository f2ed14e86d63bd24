using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Web;

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

    private static Task<Results<Ok<List<ServiceResponse>>, ValidationProblem, NotFound>> ListOwnAsync(
        HttpContext http, SportelloDb db, int? limit, string? cursor) => PageAsync(http, db, http.User.UserId(), limit, cursor);

    private static async Task<Results<Ok<List<ServiceResponse>>, ValidationProblem, NotFound>> ListOfCustomerAsync(
        Guid customerId, HttpContext http, SportelloDb db, int? limit, string? cursor)
    {
        if (!await AccountsApi.CustomersQuery(db).AnyAsync(u => u.Id == customerId, http.RequestAborted))
        {
            return TypedResults.NotFound();
        }
        return await PageAsync(http, db, customerId, limit, cursor);
    }

    // Services in the order they were added (ids are time-ordered), a page at a time like every list.
    private static async Task<Results<Ok<List<ServiceResponse>>, ValidationProblem, NotFound>> PageAsync(
        HttpContext http, SportelloDb db, Guid customerId, int? limit, string? cursor)
    {
        var errors = new ValidationErrors();
        if (!Page.TryRead(limit, cursor, errors, out var page))
        {
            return TypedResults.ValidationProblem(errors.ToDictionary());
        }
        var rows = await db.Services.Include(s => s.Addresses).AsNoTracking()
            .Where(s => s.CustomerId == customerId && (page.After == null || s.Id > page.After))
            .OrderBy(s => s.Id).Take(page.Limit + 1).ToListAsync(http.RequestAborted);
        return TypedResults.Ok(page.Finish(http, rows.Select(ServiceResponse.From).ToList(), s => s.Id));
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
