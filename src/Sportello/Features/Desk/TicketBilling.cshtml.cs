using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Tickets;

namespace Sportello.Features.Desk;

/// <summary>The invoice or order a ticket names, in full: within the agent's departments, like the ticket itself.</summary>
public sealed class TicketBillingModel(CurrentUser current, DeskAccess access, TicketDocuments documents) : PageModel
{
    public Guid TicketId { get; private set; }
    public string TicketNumber { get; private set; } = "";
    public TicketDocuments.Named Documents { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid ticketId)
    {
        var viewer = TicketViewer.Staff(await access.ScopeAsync(current.Id, HttpContext.RequestAborted));
        if (await documents.ReadAsync(viewer, ticketId, HttpContext.RequestAborted) is not { } read)
        {
            return NotFound();
        }
        (TicketId, TicketNumber, Documents) = (ticketId, read.TicketNumber, read.Documents);
        return Page();
    }
}
