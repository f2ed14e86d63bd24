using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Sportello.Web;

/// <summary>
/// Which methods of a page are handlers, and which requests reach one: the same rules for every page.
/// </summary>
internal static class PageHandlers
{
    /// <summary>
    /// A page's handlers are its own <c>On{Verb}{Name}</c> methods. ASP.NET also takes a page model's overrides of
    /// <c>PageModel</c>'s filter methods (<c>OnPageHandlerExecutionAsync</c>, ...) for handlers of an HTTP method
    /// "PAGE": a request with that method reached them, failed to bind their arguments, and answered 500.
    /// </summary>
    internal sealed class DeclaredOnly : IPageApplicationModelConvention
    {
        public void Apply(PageApplicationModel model)
        {
            foreach (var handler in model.HandlerMethods.Where(h => h.MethodInfo.GetBaseDefinition().DeclaringType != h.MethodInfo.DeclaringType).ToList())
            {
                model.HandlerMethods.Remove(handler);
            }
        }
    }

    /// <summary>
    /// Runs the handler asked for, and only it. Razor Pages would otherwise fall back: a handler name the page does not
    /// have runs its plain handler of the same method (a plain post), and a method it has no handler for (PUT, DELETE,
    /// OPTIONS, a POST to a page without one) draws the page without loading it (<c>/admin/invoices?handler=Edit</c>
    /// issued an invoice; the account page failed with a 500, having no user to show). Both are 404. A plain GET (or
    /// HEAD) of a page without a GET handler is drawn; a failed request that the server re-executes on the error page
    /// with another method keeps its own status.
    /// </summary>
    internal sealed class KnownOnly : IAsyncPageFilter
    {
        public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

        public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
        {
            var http = context.HttpContext;
            var request = http.Request;
            var asked = context.RouteData.Values["handler"]?.ToString() is { Length: > 0 } routed ? routed : request.Query["handler"].ToString();
            var known = context.HandlerMethod is { } handler
                ? string.Equals(asked, handler.Name ?? "", StringComparison.OrdinalIgnoreCase)
                : asked.Length == 0 && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method));
            var reExecuted = http.Features.Get<IStatusCodeReExecuteFeature>();
            if (!known && reExecuted is null && http.Features.Get<IExceptionHandlerFeature>() is null)
            {
                context.Result = new NotFoundResult();
                return;
            }
            if (!known && reExecuted is not null)
            {
                // A failed request re-executed on the error page with a method it has no handler for: the status alone.
                context.Result = new StatusCodeResult(reExecuted.OriginalStatusCode);
                return;
            }
            await next();
        }
    }
}
