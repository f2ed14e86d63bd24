using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;

namespace Sportello.Features.Accounts;

/// <summary>Creates the first admin from configuration when the database has none.</summary>
public static class Bootstrap
{
    public static async Task<bool> CreateFirstAdminAsync(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<SportelloOptions>>().Value.Bootstrap;
        if (string.IsNullOrWhiteSpace(options.AdminEmail) || string.IsNullOrEmpty(options.AdminPassword))
        {
            return true;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SportelloDb>();
        var adminRole = await db.Roles.Where(r => r.Name == Roles.Admin).Select(r => r.Id).SingleAsync();
        if (await db.UserRoles.AnyAsync(ur => ur.RoleId == adminRole))
        {
            return true;
        }
        var outcome = await CreateAdminAsync(scope.ServiceProvider, options.AdminEmail, "Administrator", options.AdminPassword);
        if (outcome.Value is null)
        {
            var reasons = string.Join(" ", outcome.Errors.ToDictionary().SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")));
            await Console.Error.WriteLineAsync($"Sportello cannot create the first admin from Sportello:Bootstrap: {reasons}");
            return false;
        }
        return true;
    }

    internal static Task<Web.Outcome<User>> CreateAdminAsync(IServiceProvider services, string email, string name, string password)
    {
        var errors = new Web.ValidationErrors();
        var normalized = Profile.ValidateEmail(errors, email);
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            UserName = normalized,
            Email = normalized,
            EmailConfirmed = true,
            Name = name,
            CreatedAt = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
        };
        return AccountWriter.CreateAsync(services.GetRequiredService<SportelloDb>(), services.GetRequiredService<UserManager<User>>(),
            user, password, Roles.Admin, errors, CancellationToken.None);
    }
}
