using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sportello.Features.Accounts.Pages;

[AllowAnonymous]
public sealed class SignInCodeModel(PasswordSignIn passwordSignIn, SignInManager<User> signInManager) : PageModel
{
    [BindProperty]
    public string Code { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool RememberMe { get; set; }

    public string? Message { get; private set; }

    public async Task<IActionResult> OnGetAsync() =>
        await signInManager.GetTwoFactorAuthenticationUserAsync() is null ? RedirectToPage("SignIn") : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await signInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return RedirectToPage("SignIn", new { ReturnUrl });
        }
        var attempt = await passwordSignIn.CheckSecondFactorAsync(user, Code ?? "");
        if (attempt.Outcome == SignInOutcome.Success)
        {
            await HttpContext.SignOutAsync(IdentityConstants.TwoFactorUserIdScheme);
            await signInManager.SignInAsync(user, RememberMe, authenticationMethod: "mfa");
            return LocalRedirect(Home.For(await signInManager.CreateUserPrincipalAsync(user), ReturnUrl));
        }
        Message = attempt.Outcome == SignInOutcome.LockedOut
            ? "Too many failed attempts: this account is locked for a while."
            : "That code is not valid (each code works once).";
        return Page();
    }
}
