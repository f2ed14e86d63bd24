using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Web;

namespace Sportello.Features.Accounts.Pages;

/// <summary>The language switcher: remembered in a cookie, and in the profile of a signed-in user.</summary>
[AllowAnonymous]
public sealed class LanguageModel(UserManager<User> users, SignInManager<User> signInManager) : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync(string? language, string? returnUrl)
    {
        if (language is null || !Languages.All.Contains(language))
        {
            return BadRequest();
        }
        Localization.RememberLanguage(Response, language);
        if (User.Identity?.IsAuthenticated == true && await users.GetUserAsync(User) is { } user && user.Language != language)
        {
            user.Language = language;
            await users.UpdateAsync(user);
            await signInManager.RefreshSignInAsync(user);
        }
        return LocalRedirect(Home.For(User, string.IsNullOrEmpty(returnUrl) ? "/" : returnUrl));
    }
}
