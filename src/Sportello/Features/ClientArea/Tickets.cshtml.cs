using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Tickets;

namespace Sportello.Features.ClientArea;

public sealed class TicketsModel(CurrentUser current, ListCustomerTickets listTickets, Search.SearchTickets search) : PageModel
{
    public const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    /// <summary>Words to search the customer's own tickets for; with it, the page lists what matches.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    /// <summary>Whether the page was asked to search (a <c>q</c> in the address, even empty: that is an error to show).</summary>
    public bool Searching { get; private set; }

    /// <summary>What the search found, when <see cref="Q"/> was valid.</summary>
    public Search.SearchResultsView? Results { get; private set; }

    public List<TicketResponse> Tickets { get; private set; } = [];
    public string? NextCursor { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        Searching = Request.Query.ContainsKey("q");
        if (Searching)
        {
            var found = await search.AsCustomerAsync(current.Id, new Search.SearchTickets.Filters(Q, Cursor: Cursor), HttpContext.RequestAborted);
            if (found.Errors.Any)
            {
                found.Errors.CopyTo(this);
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return Page();
            }
            Results = new Search.SearchResultsView(found, t => $"/tickets/{t.Id}", found.NextCursor is { } next
                ? Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/tickets", new Dictionary<string, string?> { ["q"] = Q, ["cursor"] = next })
                : null);
            return Page();
        }
        var result = await listTickets.HandleAsync(current.Id, Sportello.Web.Page.ForScreen(Cursor, PageSize), HttpContext.RequestAborted);
        Tickets = result.Items;
        NextCursor = result.NextCursor;
        return Page();
    }
}
