using Microsoft.AspNetCore.Identity;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Accounts;

public sealed record CreateCustomerRequest(
    string? Email, string? Name, string? Password, string? Country, string? Language, string? TimeZone,
    string? Company = null, string? VatId = null);

public sealed record CustomerResponse(
    Guid Id, string Email, string Name, string? Country, string Language, string TimeZone, string? Company, string? VatId)
{
    public static CustomerResponse From(User user) =>
        new(user.Id, user.Email!, user.Name, user.Country, user.Language, user.TimeZone, user.Company, user.VatId);
}

/// <summary>An admin registers a customer: profile, registered email, password, role.</summary>
public sealed class CreateCustomer(SportelloDb db, UserManager<User> users, TimeProvider clock)
{
    public async Task<Outcome<User>> HandleAsync(CreateCustomerRequest request, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var email = Profile.ValidateEmail(errors, request.Email);
        Profile.ValidateName(errors, request.Name);
        var country = Countries.Normalize(request.Country);
        if (country is null)
        {
            errors.Add("country", "country must be an ISO 3166-1 alpha-2 code, such as IT.");
        }
        Profile.ValidateLanguage(errors, request.Language);
        Profile.ValidateTimeZone(errors, request.TimeZone);
        if (request.Company?.Trim().Length > 200)
        {
            errors.Add("company", "company is at most 200 characters.");
        }
        var vatId = Billing.VatIds.ForCustomer(country, request.VatId, errors);
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            Name = request.Name?.Trim() ?? "",
            Company = string.IsNullOrWhiteSpace(request.Company) ? null : request.Company.Trim(),
            Country = country,
            Language = request.Language ?? Languages.English,
            TimeZone = request.TimeZone ?? "",
            VatId = vatId,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        return await AccountWriter.CreateAsync(db, users, user, request.Password, Roles.Customer, errors, cancellationToken);
    }
}

/// <summary>Writing a user with a role, all or nothing.</summary>
internal static class AccountWriter
{
    public static async Task<Outcome<User>> CreateAsync(
        SportelloDb db, UserManager<User> users, User user, string? password, string role, ValidationErrors errors,
        CancellationToken cancellationToken, Action? alsoWrite = null)
    {
        if (string.IsNullOrEmpty(password))
        {
            errors.Add("password", "password is required.");
        }
        else
        {
            foreach (var validator in users.PasswordValidators)
            {
                var result = await validator.ValidateAsync(users, user, password);
                foreach (var error in result.Errors)
                {
                    errors.Add("password", error.Description);
                }
            }
        }
        if (!errors.Has("email") && user.Email is not null && await users.FindByEmailAsync(user.Email) is not null)
        {
            errors.Add("email", "An account with this email already exists.");
        }
        if (errors.Any)
        {
            return Outcome<User>.Invalid(errors);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var created = await users.CreateAsync(user, password!);
        if (created.Succeeded)
        {
            created = await users.AddToRoleAsync(user, role);
        }
        if (!created.Succeeded)
        {
            foreach (var error in created.Errors)
            {
                errors.Add(error.Code.Contains("Email", StringComparison.Ordinal) || error.Code.Contains("UserName", StringComparison.Ordinal)
                    ? "email" : error.Code.StartsWith("Password", StringComparison.Ordinal) ? "password" : "account", error.Description);
            }
            return Outcome<User>.Invalid(errors);
        }
        if (alsoWrite is not null)
        {
            alsoWrite();
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return Outcome<User>.Ok(user);
    }
}
