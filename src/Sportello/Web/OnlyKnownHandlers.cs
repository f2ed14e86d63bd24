using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Sportello.Web;

/// <summary>
/// Every page runs the handler asked for, and only it. Given a handler name a page does not have, Razor Pages falls back
/// to its plain handler (<c>/admin/invoices?handler=Edit</c> issued an invoice); given a method it has no handler for, it
/// draws the page without running any (the account page then failed with a 500, having no user to show): both are 404.
/// A plain GET of a page without handlers (the forbidden page) is drawn, and so is the error page when the server
/// re-executes a failed request there, whatever that request asked for.
/// </summary>
public sealed class OnlyKnownHandlers : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var http = context.HttpContext;
        var asked = context.RouteData.Values["handler"]?.ToString() is { Length: > 0 } routed ? routed : http.Request.Query["handler"].ToString();
        var known = context.HandlerMethod is { } handler
            ? string.Equals(asked, handler.Name ?? "", StringComparison.OrdinalIgnoreCase)
            : asked.Length == 0 && (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method));
        var reExecuted = http.Features.Get<IStatusCodeReExecuteFeature>() is not null || http.Features.Get<IExceptionHandlerFeature>() is not null;
        if (!known && !reExecuted)
        {
            context.Result = new NotFoundResult();
            return;
        }
        await next();
    }
}
