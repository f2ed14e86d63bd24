using Microsoft.AspNetCore.Identity;

namespace Sportello.Features.Accounts;

/// <summary>Anyone who signs in: a customer, an agent or an admin (by role).</summary>
public sealed class User : IdentityUser<Guid>
{
    public string Name { get; set; } = "";
    public string? Company { get; set; }
    /// <summary>ISO 3166-1 alpha-2; customers only.</summary>
    public string? Country { get; set; }
    public string Language { get; set; } = Languages.English;
    /// <summary>IANA time zone id.</summary>
    public string TimeZone { get; set; } = "Europe/Rome";
    public string? VatId { get; set; }
    /// <summary>The postal address invoices carry (billing details).</summary>
    public string? BillingAddress { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>The last TOTP time step accepted, so a spent code is refused on replay.</summary>
    public long LastTotpStep { get; set; }
}

public sealed class Role : IdentityRole<Guid>
{
    public Role() { }
    public Role(string name) : base(name) { }
}

public static class Roles
{
    public const string Customer = "customer";
    public const string CustomerRoleId = "0193a000-0000-7000-8000-000000000001";
    public const string Agent = "agent";
    public const string AgentRoleId = "0193a000-0000-7000-8000-000000000002";
    public const string Admin = "admin";
    public const string AdminRoleId = "0193a000-0000-7000-8000-000000000003";
    public static readonly string[] All = [Customer, Agent, Admin];

    private static readonly Dictionary<Guid, string> ById = new()
    {
        [Guid.Parse(CustomerRoleId)] = Customer,
        [Guid.Parse(AgentRoleId)] = Agent,
        [Guid.Parse(AdminRoleId)] = Admin,
    };

    /// <summary>
    /// The role a stored role id stands for. The roles are fixed rows the migrations seed with these ids, so a hot path
    /// may read a user's role ids alone; an id that is not one of them names no role and grants nothing.
    /// </summary>
    public static string? Named(Guid id) => ById.GetValueOrDefault(id);
}

public static class Languages
{
    public const string English = "en";
    public const string Italian = "it";
    public static readonly string[] All = [English, Italian];
}

public static class Departments
{
    public const string Technical = "technical";
    public const string Financial = "financial";
    /// <summary>The abuse desk: its agents work abuse cases, not tickets, so no ticket is ever in it.</summary>
    public const string Abuse = "abuse";
    /// <summary>The departments tickets are in (and customers choose from).</summary>
    public static readonly string[] All = [Technical, Financial];
    /// <summary>The departments an agent may belong to: the ticket departments and the abuse desk.</summary>
    public static readonly string[] ForAgents = [Technical, Financial, Abuse];
}

/// <summary>An agent works the queues of the departments they belong to.</summary>
public sealed class AgentDepartment
{
    public Guid UserId { get; set; }
    public string Department { get; set; } = "";
}
