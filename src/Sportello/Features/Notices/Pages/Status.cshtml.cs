using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Web;

namespace Sportello.Features.Notices.Pages;

/// <summary>The public status page: no sign-in, no customer data; anyone may follow it by email.</summary>
[AllowAnonymous]
public sealed class StatusModel(ReadStatus read, StatusSubscriptions subscriptions, [FromKeyedServices(StatusSubscriptions.Throttle)] Throttle throttle)
    : PageModel
{
    public sealed class SubscribeInput
    {
        public string? Email { get; set; }
        /// <summary>"" (everything), <c>location:NAME</c> or <c>product:NAME</c>.</summary>
        public string? Follow { get; set; }
    }

    public StatusView Status { get; private set; } = null!;

    [BindProperty]
    public SubscribeInput Subscribe { get; set; } = new();

    /// <summary>The address a confirmation link was sent to, after the form was sent.</summary>
    public string? Requested { get; private set; }

    private static string Language => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "it" ? "it" : "en";

    public async Task OnGetAsync() => Status = await read.HandleAsync(Language, HttpContext.RequestAborted);

    public async Task<IActionResult> OnPostAsync()
    {
        if (throttle.TryAcquire(HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown") is not null)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            ModelState.AddModelError(string.Empty, "Too many attempts. Wait a minute and try again.");
        }
        else
        {
            var follow = Subscribe.Follow ?? "";
            var location = follow.StartsWith("location:", StringComparison.Ordinal) ? follow["location:".Length..] : null;
            var product = follow.StartsWith("product:", StringComparison.Ordinal) ? follow["product:".Length..] : null;
            var outcome = await subscriptions.SubscribeAsync(new StatusSubscriptionRequest(Subscribe.Email, location, product, Language), HttpContext.RequestAborted);
            if (outcome.Value is { } requested)
            {
                Requested = requested.Email;
                Subscribe = new SubscribeInput();
                ModelState.Clear();
            }
            else
            {
                Response.StatusCode = StatusCodes.Status400BadRequest;
                outcome.Errors.CopyTo(this, "Subscribe.", name => name is "location" or "product" ? "follow" : name);
            }
        }
        Status = await read.HandleAsync(Language, HttpContext.RequestAborted);
        return Page();
    }
}
