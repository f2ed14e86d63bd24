using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sportello.Features.Accounts.Pages;

[AllowAnonymous]
public sealed class SignInModel(PasswordSignIn passwordSignIn, SignInManager<User> signInManager) : PageModel
{
    public sealed class InputModel
    {
        public string Email { get; set; } = "";
        public string Password { get; set; } = "";
        public bool RememberMe { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Message { get; private set; }

    public IActionResult OnGet() =>
        User.Identity?.IsAuthenticated == true ? LocalRedirect(Home.For(User, ReturnUrl)) : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (string.IsNullOrWhiteSpace(Input.Email) || string.IsNullOrEmpty(Input.Password))
        {
            Message = "Enter your email and password.";
            return Page();
        }
        var attempt = await passwordSignIn.CheckAsync(HttpContext.Connection.RemoteIpAddress?.ToString(),
            Input.Email, Input.Password, totpCode: null, secondFactorLater: true);
        switch (attempt.Outcome)
        {
            case SignInOutcome.Success:
                await signInManager.SignInAsync(attempt.User!, Input.RememberMe);
                return LocalRedirect(Home.For(await signInManager.CreateUserPrincipalAsync(attempt.User!), ReturnUrl));
            case SignInOutcome.SecondFactorRequired:
                // The same short-lived cookie Identity uses between the password and the second factor.
                var pending = new ClaimsIdentity(IdentityConstants.TwoFactorUserIdScheme);
                pending.AddClaim(new Claim(ClaimTypes.Name, attempt.User!.Id.ToString()));
                await HttpContext.SignInAsync(IdentityConstants.TwoFactorUserIdScheme, new ClaimsPrincipal(pending));
                return RedirectToPage("SignInCode", new { ReturnUrl, Input.RememberMe });
            case SignInOutcome.Throttled:
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                Response.Headers.RetryAfter = ((int)Math.Ceiling(attempt.RetryAfter!.Value.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                Message = "Too many attempts. Wait a minute and try again.";
                return Page();
            case SignInOutcome.LockedOut:
                Message = "Too many failed attempts: this account is locked for a while.";
                return Page();
            default:
                Message = "The email or password is wrong.";
                return Page();
        }
    }
}

/// <summary>Where a user lands after signing in: the return address when it is local, else their role's home.</summary>
public static class Home
{
    /// <summary>
    /// Where to go after signing in or switching language: <paramref name="returnUrl"/> when it is a path on this site,
    /// else the user's home. Another site, a scheme, a backslash, control or non-ASCII characters (which no Location
    /// header may carry) are ignored, never an error.
    /// </summary>
    public static string For(ClaimsPrincipal user, string? returnUrl)
    {
        if (IsSafeLocal(returnUrl))
        {
            return returnUrl!;
        }
        return user.Identity?.IsAuthenticated != true || user.IsInRole(Roles.Customer) ? "/" : user.IsInRole(Roles.Admin) ? "/admin" : user.IsInRole(Roles.Agent) ? "/desk" : "/account";
    }

    public static bool IsSafeLocal(string? url) =>
        url is { Length: > 0 and <= 2000 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal)
        && url.All(c => c is > ' ' and < '\u007f' and not '\\');
}
