using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;

namespace Sportello.Features.Tickets;

/// <summary>
/// Live updates: agents hear of the changes of their own departments' tickets (admins of all); customers of their
/// own tickets (never of internal notes); everyone on a ticket's page hears of changes to it, and agents see who
/// else is replying. Another department's ticket is, here too, exactly like a missing one.
/// </summary>
[Authorize(AuthenticationSchemes = HubSchemes)]
public sealed class TicketsHub(SportelloDb db, DeskAccess access) : Hub
{
    public const string Path = "/hubs/tickets";
    // Pages connect with their session cookie; integrators and tests with an API token.
    private const string HubSchemes = "Identity.Application," + ApiTokenAuthentication.SchemeName;

    public static string Department(string department) => $"desk:{department}";
    public static string User(Guid id) => $"user:{id:N}";
    public static string Customer(Guid id) => $"customer:{id:N}";
    /// <summary>The agents on a ticket's page, per department: once the ticket moves, the old department hears nothing of it.</summary>
    public static string TicketForAgents(Guid id, string department) => $"ticket:{id:N}:desk:{department}";

    public override async Task OnConnectedAsync()
    {
        var user = Context.User!;
        if (IsAgent(user))
        {
            var me = user.UserId();
            await Groups.AddToGroupAsync(Context.ConnectionId, User(me));
            foreach (var department in (await access.ScopeAsync(me)).Departments)
            {
                await Groups.AddToGroupAsync(Context.ConnectionId, Department(department));
            }
        }
        else if (user.IsInRole(Roles.Customer))
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, Customer(user.UserId()));
        }
        await base.OnConnectedAsync();
    }

    /// <summary>Follow one ticket's page. Someone else's ticket is refused exactly like a missing one.</summary>
    public async Task<bool> WatchTicket(Guid ticketId)
    {
        var user = Context.User!;
        if (IsAgent(user))
        {
            if (await access.TicketAsync(user.UserId(), ticketId) is not { } ticket)
            {
                return false;
            }
            await Groups.AddToGroupAsync(Context.ConnectionId, TicketForAgents(ticketId, ticket.Department));
            return true;
        }
        // Customers hear of their own tickets through their own group already; this only confirms access.
        var me = user.UserId();
        return await db.Tickets.AnyAsync(t => t.Id == ticketId && t.CustomerId == me);
    }

    /// <summary>An agent is typing a reply: the other agents on the ticket get a collision warning.</summary>
    public async Task Replying(Guid ticketId)
    {
        if (!IsAgent(Context.User!) || await access.TicketAsync(Context.User!.UserId(), ticketId) is not { } ticket)
        {
            return;
        }
        await Clients.OthersInGroup(TicketForAgents(ticketId, ticket.Department)).SendAsync("agentReplying", new
        {
            ticketId,
            agentId = Context.User!.UserId(),
            agentName = Context.User!.DisplayName(),
        });
    }

    private static bool IsAgent(System.Security.Claims.ClaimsPrincipal user) => user.IsInRole(Roles.Agent) || user.IsInRole(Roles.Admin);
}
