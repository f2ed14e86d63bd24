using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Tickets;

namespace Sportello.Features.Accounts;

/// <summary>
/// What one member of staff may reach on the Desk: an agent, the tickets of their own departments; an admin, every
/// ticket. Another department's ticket is, for an agent, exactly like one that does not exist (404).
/// </summary>
public sealed record DeskScope(Guid UserId, bool IsAdmin, IReadOnlyList<string> Departments)
{
    public static readonly DeskScope Nobody = new(Guid.Empty, false, []);

    public bool Covers(string department) => IsAdmin || Departments.Contains(department);

    /// <summary>
    /// The tickets in scope. Every ticket is in one of <see cref="Sportello.Features.Accounts.Departments.All"/>, so a
    /// scope covering all of them (an admin, an agent of every department) adds no filter: the query is then the one
    /// the indexes are shaped for. A department filter there made PostgreSQL, with a Tickets table grown since it was
    /// last analysed, read the whole table and sort it instead of walking the queue index (about 3x the cost of a
    /// Desk queue read in bench/Sportello.Bench).
    /// </summary>
    public IQueryable<Ticket> Tickets(IQueryable<Ticket> tickets) =>
        CoversAll ? tickets : tickets.Where(t => Departments.Contains(t.Department));

    private bool CoversAll => IsAdmin || Sportello.Features.Accounts.Departments.All.All(Departments.Contains);
}

/// <summary>
/// The one definition of "agent": a user in the agent role, working the departments listed for them; admins act
/// everywhere. Access checks, mail replies by agents, assignment, merge and the Desk's lists all ask here.
/// </summary>
public sealed class DeskAccess(SportelloDb db, IHttpContextAccessor? http = null)
{
    private static readonly Guid AgentRole = Guid.Parse(Roles.AgentRoleId);
    private static readonly Guid AdminRole = Guid.Parse(Roles.AdminRoleId);
    private readonly Dictionary<Guid, DeskScope> scopes = [];

    /// <summary>Users in the agent role.</summary>
    public IQueryable<User> Agents() => db.Users.Where(u => db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == AgentRole));

    /// <summary>Agents who work <paramref name="department"/>.</summary>
    public IQueryable<User> AgentsOf(string department) =>
        Agents().Where(u => db.AgentDepartments.Any(d => d.UserId == u.Id && d.Department == department));

    /// <summary>What <paramref name="userId"/> may reach on the Desk (<see cref="DeskScope.Nobody"/> for a customer).</summary>
    public async Task<DeskScope> ScopeAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        if (scopes.TryGetValue(userId, out var known))
        {
            return known;
        }
        // The signed-in principal carries its roles and departments (checked at sign-in, or per request for tokens).
        if (http?.HttpContext?.User is { Identity.IsAuthenticated: true } principal && principal.HasClaim(c => c.Type == SportelloClaims.DepartmentsKnown)
            && principal.FindFirstValue(ClaimTypes.NameIdentifier) == userId.ToString())
        {
            return scopes[userId] = principal.IsInRole(Roles.Admin) ? new DeskScope(userId, true, Departments.All)
                : principal.IsInRole(Roles.Agent) ? new DeskScope(userId, false, principal.FindAll(SportelloClaims.Department).Select(c => c.Value).ToList())
                : DeskScope.Nobody;
        }
        var roles = await db.UserRoles.Where(r => r.UserId == userId).Select(r => r.RoleId).ToListAsync(cancellationToken);
        var scope = roles.Contains(AdminRole) ? new DeskScope(userId, true, Departments.All)
            : roles.Contains(AgentRole) ? new DeskScope(userId, false,
                await db.AgentDepartments.Where(d => d.UserId == userId).Select(d => d.Department).ToListAsync(cancellationToken))
            : DeskScope.Nobody;
        scopes[userId] = scope;
        return scope;
    }

    /// <summary>The viewer behind a signed-in principal: customers see their own tickets, staff their scope.</summary>
    public async Task<TicketViewer> ViewerAsync(System.Security.Claims.ClaimsPrincipal principal, CancellationToken cancellationToken = default) =>
        principal.IsInRole(Roles.Customer) ? TicketViewer.Customer(principal.UserId()) : TicketViewer.Staff(await ScopeAsync(principal.UserId(), cancellationToken));

    /// <summary>The ticket, tracked, when <paramref name="userId"/> may act on it from the Desk; else null (404).</summary>
    public async Task<Ticket?> TicketAsync(Guid userId, Guid ticketId, CancellationToken cancellationToken = default) =>
        await (await ScopeAsync(userId, cancellationToken)).Tickets(db.Tickets).FirstOrDefaultAsync(t => t.Id == ticketId, cancellationToken);
}
