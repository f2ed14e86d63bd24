using System.Globalization;
using Microsoft.AspNetCore.Localization;
using Sportello.Features.Accounts;

namespace Sportello.Web;

/// <summary>The marker type for the shared UI strings (Text.it.resx; English text is the key).</summary>
public sealed class Text;

/// <summary>A signed-in user's own language comes before cookies and Accept-Language.</summary>
internal sealed class UserLanguageProvider : RequestCultureProvider
{
    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        var language = httpContext.User.FindFirst(SportelloClaims.Language)?.Value;
        return Task.FromResult(language is null ? null : new ProviderCultureResult(language));
    }
}

internal static class Localization
{
    public static readonly CultureInfo[] Cultures = [new("en"), new("it")];

    public static void Configure(RequestLocalizationOptions options)
    {
        options.DefaultRequestCulture = new RequestCulture("en");
        options.SupportedCultures = Cultures;
        options.SupportedUICultures = Cultures;
        options.RequestCultureProviders =
        [
            new UserLanguageProvider(),
            new CookieRequestCultureProvider(),
            new AcceptLanguageHeaderRequestCultureProvider(),
        ];
    }

    public static void RememberLanguage(HttpResponse response, string language) =>
        response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(language)),
            new CookieOptions { MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, IsEssential = true, Secure = response.HttpContext.Request.IsHttps });
}
