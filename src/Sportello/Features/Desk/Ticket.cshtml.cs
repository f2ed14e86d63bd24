using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;
using Sportello.Features.Services;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Desk;

public sealed class TicketModel(
    SportelloDb db, ReplyToTicket reply, ChangeTicket change, MergeTickets merge, DeskAccess access, TimeProvider clock)
    : PageModel
{
    public sealed record Person(Guid Id, string Name);

    public TicketResponse Ticket { get; private set; } = null!;
    /// <summary>Null when a stranger wrote by mail: then there is no account, and no account data to share.</summary>
    public User? Customer { get; private set; }
    public Ticket Requester { get; private set; } = null!;
    public List<Service> Services { get; private set; } = [];
    public List<Ticket> OtherTickets { get; private set; } = [];
    public List<Person> Agents { get; private set; } = [];
    public string? AssigneeName { get; private set; }

    [BindProperty]
    public string? Body { get; set; }

    [BindProperty]
    public bool Internal { get; set; }

    [BindProperty]
    public List<IFormFile> Files { get; set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid ticketId) => await LoadAsync(ticketId) ? Page() : NotFound();

    public async Task<IActionResult> OnPostReplyAsync(Guid ticketId)
    {
        var me = await db.MeAsync(User, HttpContext.RequestAborted);
        var outcome = await reply.AsAgentAsync(me, ticketId, Body, Internal, AddAttachments.From(Files), HttpContext.RequestAborted);
        if (outcome is null)
        {
            return NotFound();
        }
        if (outcome.Value is null)
        {
            outcome.Errors.CopyTo(this);
            return await LoadAsync(ticketId) ? Page() : NotFound();
        }
        return Redirect($"/desk/tickets/{ticketId}");
    }

    public async Task<IActionResult> OnPostTakeAsync(Guid ticketId) =>
        await ApplyAsync(ticketId, me => change.AssignAsync(me, ticketId, me.Id, HttpContext.RequestAborted));

    public async Task<IActionResult> OnPostAssignAsync(Guid ticketId, Guid? value) =>
        await ApplyAsync(ticketId, me => change.AssignAsync(me, ticketId, value, HttpContext.RequestAborted));

    public async Task<IActionResult> OnPostStatusAsync(Guid ticketId, string? value) =>
        await ApplyAsync(ticketId, me => change.StatusAsync(me, ticketId, value, asAgent: true, HttpContext.RequestAborted));

    public async Task<IActionResult> OnPostPriorityAsync(Guid ticketId, string? value) =>
        await ApplyAsync(ticketId, me => change.PriorityAsync(me, ticketId, value, HttpContext.RequestAborted));

    public async Task<IActionResult> OnPostDepartmentAsync(Guid ticketId, string? value) =>
        await ApplyAsync(ticketId, me => change.DepartmentAsync(me, ticketId, value, HttpContext.RequestAborted));

    public async Task<IActionResult> OnPostMergeAsync(Guid ticketId, string? value) =>
        await ApplyAsync(ticketId, me => merge.HandleAsync(me, ticketId, value, HttpContext.RequestAborted));

    private async Task<IActionResult> ApplyAsync(Guid ticketId, Func<User, Task<Outcome<Ticket>?>> action)
    {
        var me = await db.MeAsync(User, HttpContext.RequestAborted);
        var outcome = await action(me);
        if (outcome is null)
        {
            return NotFound();
        }
        if (outcome.Value is null)
        {
            outcome.Errors.CopyTo(this);
            return await LoadAsync(ticketId) ? Page() : NotFound();
        }
        // A ticket moved to a department the agent does not work has left their view: back to the queue.
        return (await access.ScopeAsync(me.Id, HttpContext.RequestAborted)).Covers(outcome.Value.Department)
            ? Redirect($"/desk/tickets/{outcome.Value.Id}")
            : Redirect("/desk");
    }

    private async Task<bool> LoadAsync(Guid ticketId)
    {
        var ct = HttpContext.RequestAborted;
        var scope = await access.ScopeAsync(User.UserId(), ct);
        var detail = await TicketQueries.DetailAsync(db, ticketId, TicketViewer.Staff(scope), clock.GetUtcNow().UtcDateTime, ct);
        if (detail is null)
        {
            return false;
        }
        Ticket = detail;
        var ticket = await db.Tickets.AsNoTracking().SingleAsync(t => t.Id == ticketId, ct);
        Requester = ticket;
        if (ticket.CustomerId is { } customerId)
        {
            Customer = await db.Users.AsNoTracking().SingleAsync(u => u.Id == customerId, ct);
            Services = await ServicesFeature.OfCustomerAsync(db, customerId, ct);
            OtherTickets = await scope.Tickets(db.Tickets.AsNoTracking()).Where(t => t.CustomerId == customerId && t.Id != ticketId)
                .OrderByDescending(t => t.Id).Take(20).ToListAsync(ct);
        }
        Agents = await access.AgentsOf(ticket.Department).AsNoTracking().OrderBy(u => u.Name)
            .Select(u => new Person(u.Id, u.Name)).ToListAsync(ct);
        AssigneeName = Agents.FirstOrDefault(a => a.Id == ticket.AssigneeId)?.Name;
        return true;
    }
}
