using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Notices;
using Sportello.Features.Services;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.ClientArea;

public sealed class NewTicketModel(
    CurrentUser current, OpenTicket openTicket, ListServices listServices, ActiveNotices activeNotices, TicketDocuments documents,
    [FromKeyedServices(Throttle.TicketCreation)] Throttle throttle)
    : PageModel
{
    public sealed class InputModel
    {
        public string Department { get; set; } = Accounts.Departments.Technical;
        public string Priority { get; set; } = Priorities.Normal;
        public string? Subject { get; set; }
        public string? Description { get; set; }
        public Guid? ServiceId { get; set; }
        public string? ServiceReference { get; set; }
        public string? ProblemStartedAt { get; set; }
        public string? ProblemTimeZone { get; set; }
        public string? Diagnostics { get; set; }
        public Guid? InvoiceId { get; set; }
        public Guid? OrderId { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty]
    public List<IFormFile> Files { get; set; } = [];

    public List<SelectListItem> ServiceChoices { get; private set; } = [];

    /// <summary>The customer's invoices and credit notes, and orders, that a financial ticket may name.</summary>
    public List<TicketDocument> InvoiceChoices { get; private set; } = [];

    public List<TicketDocument> OrderChoices { get; private set; } = [];

    /// <summary>Incidents and maintenance under way on the customer's services, shown before the form.</summary>
    public List<ActiveNotice> Notices { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid? serviceId)
    {
        Input.ProblemTimeZone = User.TimeZone();
        Input.ServiceId = serviceId;
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (throttle.TryAcquire(User.UserId().ToString()) is not null)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            ModelState.AddModelError(string.Empty, "Too many attempts. Wait a minute and try again.");
            await LoadAsync();
            return Page();
        }
        var me = await current.LoadAsync(HttpContext.RequestAborted);
        var request = new OpenTicketRequest(
            Input.Department, Input.Priority, Input.Subject, Input.Description, Input.ServiceId, Input.ServiceReference,
            Input.ProblemStartedAt, Input.ProblemTimeZone, Input.Diagnostics)
        {
            InvoiceId = Unreadable("Input.InvoiceId") ? Guid.Empty : Input.InvoiceId,
            OrderId = Unreadable("Input.OrderId") ? Guid.Empty : Input.OrderId,
        };
        var outcome = await openTicket.HandleAsync(me, request, Channels.Web, AddAttachments.From(Files), cancellationToken: HttpContext.RequestAborted);
        if (outcome.Value is not { } ticket)
        {
            outcome.Errors.CopyTo(this, "Input.");
            await LoadAsync();
            return Page();
        }
        return Redirect($"/tickets/{ticket.Id}");
    }

    // A value no choice offers and that is no id (a hand-made post) is checked like an unknown document, never dropped.
    private bool Unreadable(string field)
    {
        var invalid = ModelState.GetFieldValidationState(field) == ModelValidationState.Invalid;
        ModelState.Remove(field);
        return invalid;
    }

    private async Task LoadAsync()
    {
        var services = await listServices.AllAsync(current.Id, HttpContext.RequestAborted);
        ServiceChoices = services.Select(s => new SelectListItem(
            $"{s.Name} — #{s.OrderNumber} ({string.Join(", ", s.Addresses.Select(a => a.Address))})", s.Id.ToString())).ToList();
        (InvoiceChoices, OrderChoices) = await documents.ChoicesAsync(current.Id, HttpContext.RequestAborted);
        Notices = await activeNotices.ForCustomerAsync(current.Id,
            System.Globalization.CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "it" ? "it" : "en", HttpContext.RequestAborted);
    }
}
