using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Search;

namespace Sportello.Features.Desk;

/// <summary>The Desk's search: the box on every Desk page lands here. A single exact reference opens its ticket.</summary>
public sealed class SearchModel(CurrentUser current, SearchTickets search, SearchChats chats, SearchRecords records, Abuse.AbuseAccess abuse) : PageModel
{
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true)] public string? Department { get; set; }
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? Priority { get; set; }
    [BindProperty(SupportsGet = true)] public string? Channel { get; set; }
    [BindProperty(SupportsGet = true)] public string? From { get; set; }
    [BindProperty(SupportsGet = true)] public string? To { get; set; }
    [BindProperty(SupportsGet = true)] public string? Cursor { get; set; }
    /// <summary><c>chats</c> to search ended chats' transcripts, <c>notices</c> service notices, <c>abuse</c> abuse cases; else tickets.</summary>
    [BindProperty(SupportsGet = true)] public string? In { get; set; }

    public bool InChats => In == "chats";
    public bool InNotices => In == "notices";
    public bool InAbuse => In == "abuse";

    /// <summary>Whether the signed-in member of staff works the abuse desk (and so may search its cases).</summary>
    public bool WorksAbuse { get; private set; }

    /// <summary>The notices found, when searching notices.</summary>
    public SearchPage<NoticeHit>? Notices { get; private set; }

    /// <summary>The abuse cases found, when the abuse desk searches them.</summary>
    public SearchPage<AbuseHit>? AbuseCases { get; private set; }

    /// <summary>The transcripts found, when searching chats.</summary>
    public SearchPage<ChatHit>? Chats { get; private set; }

    /// <summary>What the search found, when the query and filters were valid.</summary>
    public SearchResultsView? Results { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        WorksAbuse = await abuse.WorksAbuseAsync(current.Id, HttpContext.RequestAborted);
        if (InAbuse && !WorksAbuse)
        {
            return NotFound(); // as on every abuse route
        }
        // The page before anything is asked: the form alone.
        if (!Request.Query.ContainsKey("q") && Cursor is null)
        {
            return Page();
        }
        if (InChats)
        {
            Chats = await chats.AsStaffAsync(current.Id, Q, Department, null, Cursor, HttpContext.RequestAborted);
            return Checked(Chats.Errors);
        }
        if (InNotices)
        {
            Notices = await records.NoticesAsync(Q, null, Cursor, HttpContext.RequestAborted);
            return Checked(Notices.Errors);
        }
        if (InAbuse)
        {
            AbuseCases = await records.AbuseCasesAsync(current.Id, Q, null, Cursor, HttpContext.RequestAborted);
            return AbuseCases is null ? NotFound() : Checked(AbuseCases.Errors);
        }
        var result = await search.AsStaffAsync(current.Id, new SearchTickets.Filters(Q, Department, Status, Priority, Channel, From, To, Cursor: Cursor), HttpContext.RequestAborted);
        if (result.Errors.Any)
        {
            result.Errors.CopyTo(this);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        if (Cursor is null && result.Hits.Count(h => h.Reference) == 1)
        {
            return Redirect($"/desk/tickets/{result.Hits[0].Ticket.Id}");
        }
        Results = new SearchResultsView(result, t => $"/desk/tickets/{t.Id}", result.NextCursor is { } next ? More(next) : null);
        return Page();
    }

    private PageResult Checked(Web.ValidationErrors errors)
    {
        if (errors.Any)
        {
            errors.CopyTo(this);
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        return Page();
    }

    /// <summary>This search's address with another cursor.</summary>
    public string More(string cursor) => Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/desk/search",
        new Dictionary<string, string?> { ["q"] = Q, ["department"] = Department, ["status"] = Status, ["priority"] = Priority,
            ["channel"] = Channel, ["from"] = From, ["to"] = To, ["in"] = In, ["cursor"] = cursor }.Where(p => !string.IsNullOrEmpty(p.Value)));
}
