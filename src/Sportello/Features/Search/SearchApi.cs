using Microsoft.AspNetCore.Http.HttpResults;
using Sportello.Features.Accounts;
using Sportello.Features.Tickets;
using Sportello.Web;

namespace Sportello.Features.Search;

/// <summary>A ticket found on the Desk (CONTRACT.md, "Search"): <c>snippet</c> is plain text, <c>highlights</c> index into it.</summary>
public sealed record SearchHitResponse(
    Guid TicketId, string Number, string Subject, string Status, string Department, string Priority, string Channel,
    DateTime CreatedAt, DateTime UpdatedAt, string Snippet, IReadOnlyList<Highlight> Highlights, string Match)
{
    public static SearchHitResponse From(SearchHit hit) => new(
        hit.Ticket.Id, hit.Ticket.Number, hit.Ticket.Subject, hit.Ticket.Status, hit.Ticket.Department, hit.Ticket.Priority,
        hit.Ticket.Channel, hit.Ticket.CreatedAt, hit.Ticket.UpdatedAt, hit.Snippet.Text, hit.Snippet.Highlights,
        hit.Reference ? "reference" : "text");
}

/// <summary>An ended chat found on the Desk: where its transcript matched.</summary>
public sealed record ChatSearchHitResponse(
    Guid ChatId, string Department, string? VisitorName, bool Verified, DateTime CreatedAt, DateTime? ClosedAt, Guid? TicketId,
    string Snippet, IReadOnlyList<Highlight> Highlights)
{
    public static ChatSearchHitResponse From(ChatHit hit) => new(
        hit.Chat.Id, hit.Chat.Department, hit.Chat.VisitorName, hit.Chat.Verified, hit.Chat.CreatedAt, hit.Chat.ClosedAt, hit.Chat.TicketId,
        hit.Snippet.Text, hit.Snippet.Highlights);
}

/// <summary>A service notice found on the Desk.</summary>
public sealed record NoticeSearchHitResponse(
    Guid NoticeId, string Kind, string Status, string TitleEn, string TitleIt, DateTime StartsAt, DateTime? EndsAt,
    string Snippet, IReadOnlyList<Highlight> Highlights)
{
    public static NoticeSearchHitResponse From(NoticeHit hit) => new(
        hit.Notice.Id, hit.Notice.Kind, hit.Notice.Status, hit.Notice.TitleEn, hit.Notice.TitleIt, hit.Notice.StartsAt, hit.Notice.EndsAt,
        hit.Snippet.Text, hit.Snippet.Highlights);
}

/// <summary>An abuse case found by the abuse desk.</summary>
public sealed record AbuseSearchHitResponse(
    Guid CaseId, string Reference, string State, string Type, string? Ip, DateTime CreatedAt, DateTime LastReportAt,
    string Snippet, IReadOnlyList<Highlight> Highlights)
{
    public static AbuseSearchHitResponse From(AbuseHit hit) => new(
        hit.Case.Id, hit.Case.Reference, hit.Case.State, hit.Case.Type, hit.Case.Ip, hit.Case.CreatedAt, hit.Case.LastReportAt,
        hit.Snippet.Text, hit.Snippet.Highlights);
}

public static class SearchFeature
{
    public static WebApplicationBuilder AddSearch(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<SearchTickets>();
        builder.Services.AddScoped<SearchChats>();
        builder.Services.AddScoped<SearchRecords>();
        return builder;
    }

    public static RouteGroupBuilder MapSearchApi(this RouteGroupBuilder api)
    {
        api.MapGet("/desk/search", DeskSearchAsync).RequireAuthorization(Policies.ApiAgent).WithTags("Search");
        api.MapGet("/desk/search/chats", ChatSearchAsync).RequireAuthorization(Policies.ApiAgent).WithTags("Search");
        api.MapGet("/desk/search/notices", NoticeSearchAsync).RequireAuthorization(Policies.ApiAgent).WithTags("Search");
        api.MapGet("/desk/search/abuse-cases", AbuseSearchAsync).RequireAuthorization(Policies.ApiAgent).WithTags("Search");
        return api;
    }

    private static async Task<Results<Ok<List<SearchHitResponse>>, ValidationProblem>> DeskSearchAsync(
        HttpContext http, CurrentUser current, SearchTickets search, string? q, string? department, string? status,
        string? priority, string? channel, string? from, string? to, int? limit, string? cursor)
    {
        var result = await search.AsStaffAsync(current.Id, new SearchTickets.Filters(q, department, status, priority, channel, from, to, limit, cursor), http.RequestAborted);
        return result.Errors.Any
            ? TypedResults.ValidationProblem(result.Errors.ToDictionary())
            : TypedResults.Ok(Next(http, result, result.Hits.Select(SearchHitResponse.From).ToList()));
    }

    private static async Task<Results<Ok<List<ChatSearchHitResponse>>, ValidationProblem>> ChatSearchAsync(
        HttpContext http, CurrentUser current, SearchChats search, string? q, string? department, int? limit, string? cursor) =>
        Answer(http, await search.AsStaffAsync(current.Id, q, department, limit, cursor, http.RequestAborted), ChatSearchHitResponse.From);

    private static async Task<Results<Ok<List<NoticeSearchHitResponse>>, ValidationProblem>> NoticeSearchAsync(
        HttpContext http, SearchRecords search, string? q, int? limit, string? cursor) =>
        Answer(http, await search.NoticesAsync(q, limit, cursor, http.RequestAborted), NoticeSearchHitResponse.From);

    // As on every abuse route: for anyone but the abuse desk and admins, nothing is there (404), before any 400.
    private static async Task<Results<Ok<List<AbuseSearchHitResponse>>, ValidationProblem, NotFound>> AbuseSearchAsync(
        HttpContext http, CurrentUser current, SearchRecords search, string? q, int? limit, string? cursor)
    {
        if (await search.AbuseCasesAsync(current.Id, q, limit, cursor, http.RequestAborted) is not { } page)
        {
            return TypedResults.NotFound();
        }
        return page.Errors.Any ? TypedResults.ValidationProblem(page.Errors.ToDictionary()) : TypedResults.Ok(Listed(http, page, AbuseSearchHitResponse.From));
    }

    private static Results<Ok<List<TResponse>>, ValidationProblem> Answer<THit, TResponse>(HttpContext http, SearchPage<THit> page, Func<THit, TResponse> map) =>
        page.Errors.Any ? TypedResults.ValidationProblem(page.Errors.ToDictionary()) : TypedResults.Ok(Listed(http, page, map));

    // The page's items, with the Link to the next page when there is more.
    private static List<TResponse> Listed<THit, TResponse>(HttpContext http, SearchPage<THit> page, Func<THit, TResponse> map)
    {
        if (page.NextCursor is { } next)
        {
            Page.AppendNextLink(http, page.Limit, next);
        }
        return page.Hits.Select(map).ToList();
    }

    /// <summary>A customer's own tickets matching <c>q</c> (<c>GET /tickets?q=</c>): the list's shape, best first.</summary>
    public static async Task<Results<Ok<List<TicketResponse>>, ValidationProblem>> CustomerSearchAsync(
        HttpContext http, Guid customerId, SearchTickets search, TimeProvider clock, string? q, string? status, int? limit, string? cursor)
    {
        var result = await search.AsCustomerAsync(customerId, new SearchTickets.Filters(q, Status: status, Limit: limit, Cursor: cursor), http.RequestAborted);
        var now = clock.GetUtcNow().UtcDateTime;
        return result.Errors.Any
            ? TypedResults.ValidationProblem(result.Errors.ToDictionary())
            : TypedResults.Ok(Next(http, result, result.Hits.Select(h => TicketResponse.From(h.Ticket, now)).ToList()));
    }

    private static List<T> Next<T>(HttpContext http, SearchTickets.Result result, List<T> items)
    {
        if (result.NextCursor is { } cursor)
        {
            Page.AppendNextLink(http, result.Limit, cursor);
        }
        return items;
    }
}

/// <summary>What the results partial draws: the hits, where each ticket opens, and the next page's address.</summary>
public sealed record SearchResultsView(SearchTickets.Result Result, Func<Ticket, string> Link, string? More)
{
    /// <summary>A passage's text, encoded run by run; the only markup is the <c>mark</c> around each match.</summary>
    public static Microsoft.AspNetCore.Html.IHtmlContent Passage(Snippet snippet)
    {
        var html = new Microsoft.AspNetCore.Html.HtmlContentBuilder();
        foreach (var (text, highlighted) in snippet.Runs())
        {
            if (highlighted)
            {
                html.AppendHtml("<mark>").Append(text).AppendHtml("</mark>");
            }
            else
            {
                html.Append(text);
            }
        }
        return html;
    }
}
