using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Services;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Desk;

public sealed class TicketModel(
    CurrentUser current, ReadDeskTicket readDeskTicket, ReplyToTicket reply, ChangeTicket change, MergeTickets merge, DeskAccess access)
    : PageModel
{
    public TicketResponse Ticket { get; private set; } = null!;
    /// <summary>Null when a stranger wrote by mail: then there is no account, and no account data to share.</summary>
    public User? Customer { get; private set; }
    public Ticket Requester { get; private set; } = null!;
    public List<Service> Services { get; private set; } = [];
    public List<Ticket> OtherTickets { get; private set; } = [];
    public List<ReadDeskTicket.Person> Agents { get; private set; } = [];
    public string? AssigneeName { get; private set; }
    public Guid? ChatId { get; private set; }
    public ReadDeskTicket.LinkedNotice? Notice { get; private set; }
    public IReadOnlyList<TicketDocument> Documents { get; private set; } = [];

    [BindProperty]
    public string? Body { get; set; }

    [BindProperty]
    public bool Internal { get; set; }

    [BindProperty]
    public List<IFormFile> Files { get; set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid ticketId) => await LoadAsync(ticketId) ? Page() : NotFound();

    public async Task<IActionResult> OnPostReplyAsync(Guid ticketId)
    {
        var me = await current.LoadAsync(HttpContext.RequestAborted);
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
        var me = await current.LoadAsync(HttpContext.RequestAborted);
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
        if (await readDeskTicket.HandleAsync(current.Id, ticketId, HttpContext.RequestAborted) is not { } view)
        {
            return false;
        }
        (Ticket, Requester, Customer, Services, OtherTickets, Agents) = (view.Ticket, view.Requester, view.Customer, view.Services, view.OtherTickets, view.Agents);
        AssigneeName = view.AssigneeName;
        ChatId = view.ChatId;
        Notice = view.Notice;
        Documents = view.Documents;
        return true;
    }
}
