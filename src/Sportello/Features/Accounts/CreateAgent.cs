using Microsoft.AspNetCore.Identity;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Accounts;

public sealed record CreateAgentRequest(
    string? Email, string? Name, string? Password, List<string>? Departments,
    string? Language = null, string? TimeZone = null);

public sealed record AgentResponse(Guid Id, string Email, string Name, IReadOnlyList<string> Departments, string Language, string TimeZone);

/// <summary>An admin adds an agent who works the queues of one or more departments.</summary>
public sealed class CreateAgent(SportelloDb db, UserManager<User> users, TimeProvider clock)
{
    public async Task<Outcome<AgentResponse>> HandleAsync(CreateAgentRequest request, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var email = Profile.ValidateEmail(errors, request.Email);
        Profile.ValidateName(errors, request.Name);
        var departments = (request.Departments ?? []).Select(d => d?.Trim().ToLowerInvariant() ?? "").Distinct().ToList();
        if (departments.Count == 0)
        {
            errors.Add("departments", "departments must name at least one of: technical, financial, abuse.");
        }
        foreach (var unknown in departments.Where(d => !Departments.ForAgents.Contains(d)))
        {
            errors.Add("departments", "'{0}' is not a department (technical, financial, abuse).", unknown);
        }
        var language = request.Language ?? Languages.English;
        Profile.ValidateLanguage(errors, language);
        var timeZone = request.TimeZone ?? "Europe/Rome";
        Profile.ValidateTimeZone(errors, timeZone);
        var user = new User
        {
            Id = Guid.CreateVersion7(),
            UserName = email,
            Email = email,
            EmailConfirmed = true,
            Name = request.Name?.Trim() ?? "",
            Language = language,
            TimeZone = timeZone,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        var outcome = await AccountWriter.CreateAsync(db, users, user, request.Password, Roles.Agent, errors, cancellationToken,
            alsoWrite: () => db.AgentDepartments.AddRange(
                departments.Select(d => new AgentDepartment { UserId = user.Id, Department = d })));
        if (outcome.Value is null)
        {
            return Outcome<AgentResponse>.Invalid(outcome.Errors);
        }
        return Outcome<AgentResponse>.Ok(new AgentResponse(user.Id, email!, user.Name, departments, user.Language, user.TimeZone));
    }
}
