using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Tickets;

namespace Sportello.Features.ClientArea;

public sealed class TicketModel(CurrentUser current, ReadTicket readTicket, ReplyToTicket reply, ChangeTicket change, TicketDocuments documents) : PageModel
{
    public TicketResponse Ticket { get; private set; } = null!;

    /// <summary>The invoice or order the ticket names.</summary>
    public IReadOnlyList<TicketDocument> Documents { get; private set; } = [];

    [BindProperty]
    public string? Body { get; set; }

    [BindProperty]
    public List<IFormFile> Files { get; set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid ticketId) => await LoadAsync(ticketId) ? Page() : NotFound();

    public async Task<IActionResult> OnPostReplyAsync(Guid ticketId)
    {
        var me = await current.LoadAsync(HttpContext.RequestAborted);
        var outcome = await reply.AsCustomerAsync(me, ticketId, Body, AddAttachments.From(Files), HttpContext.RequestAborted);
        if (outcome is null)
        {
            return NotFound();
        }
        if (outcome.Value is null)
        {
            outcome.Errors.CopyTo(this);
            return await LoadAsync(ticketId) ? Page() : NotFound();
        }
        return Redirect($"/tickets/{ticketId}");
    }

    public async Task<IActionResult> OnPostCloseAsync(Guid ticketId)
    {
        var me = await current.LoadAsync(HttpContext.RequestAborted);
        var outcome = await change.StatusAsync(me, ticketId, TicketStatus.Closed, asAgent: false, HttpContext.RequestAborted);
        return outcome is null ? NotFound() : Redirect($"/tickets/{ticketId}");
    }

    private async Task<bool> LoadAsync(Guid ticketId)
    {
        if (await readTicket.AsCustomerAsync(current.Id, ticketId, HttpContext.RequestAborted) is not { } detail)
        {
            return false;
        }
        Ticket = detail;
        Documents = (await documents.ReadAsync(current.Id, detail.InvoiceId, detail.OrderId, HttpContext.RequestAborted)).Summaries;
        return true;
    }
}
