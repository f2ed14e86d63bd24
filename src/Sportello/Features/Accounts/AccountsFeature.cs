using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sportello.Data;

namespace Sportello.Features.Accounts;

public static class Policies
{
    public const string ApiUser = "api-user";
    public const string ApiCustomer = "api-customer";
    public const string ApiAgent = "api-agent";
    public const string ApiAdmin = "api-admin";
    public const string Customer = "customer";
    public const string Agent = "agent";
    public const string Admin = "admin";
}

public static class AccountsFeature
{
    public static WebApplicationBuilder AddAccounts(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection("Sportello:Identity").Get<IdentitySettings>() ?? new();
        builder.Services
            .AddIdentity<User, Role>(o =>
            {
                o.User.RequireUniqueEmail = true;
                // Length over composition (NIST SP 800-63B), plus PasswordRules against guessable ones.
                o.Password.RequiredLength = 12;
                o.Password.RequiredUniqueChars = 5;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = settings.MaxFailedAccessAttempts;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(settings.LockoutMinutes);
            })
            .AddEntityFrameworkStores<SportelloDb>()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<SportelloClaims>()
            .AddPasswordValidator<PasswordRules>();
        builder.Services.Configure<PasswordHasherOptions>(o => o.IterationCount = settings.PasswordIterations);
        builder.Services.ConfigureApplicationCookie(cookie =>
        {
            cookie.Cookie.Name = "sportello";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.LoginPath = "/signin";
            cookie.LogoutPath = "/signout";
            cookie.AccessDeniedPath = "/forbidden";
            cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
            cookie.SlidingExpiration = true;
            cookie.Events.OnValidatePrincipal = async context =>
            {
                if (HubOrigin.IsForeign(context.Request, context.HttpContext.RequestServices.GetRequiredService<IOptions<SportelloOptions>>().Value.PublicUrl))
                {
                    context.RejectPrincipal();
                    return;
                }
                await RejectStaleSessionAsync(context);
            };
            var accessDenied = cookie.Events.OnRedirectToAccessDenied;
            cookie.Events.OnRedirectToAccessDenied = context => RedirectToAccessDeniedAsync(context, accessDenied);
        });
        builder.Services.ConfigureExternalCookie(c => c.Cookie.Name = "sportello.ext");
        builder.Services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, c =>
        {
            c.Cookie.Name = "sportello.2fa";
            c.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            c.ExpireTimeSpan = TimeSpan.FromMinutes(5);
        });
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthentication>(ApiTokenAuthentication.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.ApiUser, p => p.AddAuthenticationSchemes(ApiTokenAuthentication.SchemeName).RequireAuthenticatedUser())
            .AddPolicy(Policies.ApiCustomer, p => p.AddAuthenticationSchemes(ApiTokenAuthentication.SchemeName).RequireRole(Roles.Customer))
            .AddPolicy(Policies.ApiAgent, p => p.AddAuthenticationSchemes(ApiTokenAuthentication.SchemeName).RequireRole(Roles.Agent, Roles.Admin))
            .AddPolicy(Policies.ApiAdmin, p => p.AddAuthenticationSchemes(ApiTokenAuthentication.SchemeName).RequireRole(Roles.Admin))
            .AddPolicy(Policies.Customer, p => p.RequireRole(Roles.Customer))
            .AddPolicy(Policies.Agent, p => p.RequireRole(Roles.Agent, Roles.Admin))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));
        builder.Services.AddScoped<ApiTokens>();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<DeskAccess>();
        builder.Services.AddScoped<CurrentUser>();
        builder.Services.AddScoped<ListCustomers>();
        builder.Services.AddScoped<ReadCustomer>();
        builder.Services.AddScoped<ListAgents>();
        builder.Services.AddScoped<ReadMe>();
        builder.Services.AddScoped<TwoFactor>();
        builder.Services.AddScoped<PasswordSignIn>();
        builder.Services.AddScoped<CreateCustomer>();
        builder.Services.AddScoped<CreateAgent>();
        builder.Services.AddScoped<ChangePassword>();
        builder.Services.AddScoped<PasswordReentry>();
        builder.Services.AddScoped<ChangeEmail>();
        builder.Services.AddSingleton<SignInThrottle>();
        // Every hub's connections end with the session or token they were opened with.
        builder.Services.AddSingleton<LiveSessions>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LiveSessions>());
        builder.Services.Configure<HubOptions>(o => o.AddFilter<LiveSessions>());
        return builder;
    }

    // The site's root is the Client Area's home: staff who open it go to their own home instead of "not allowed".
    private static Task RedirectToAccessDeniedAsync(
        RedirectContext<CookieAuthenticationOptions> context, Func<RedirectContext<CookieAuthenticationOptions>, Task> otherwise)
    {
        if (context.Request.Path != "/")
        {
            return otherwise(context);
        }
        context.Response.Redirect(Pages.Home.For(context.HttpContext.User, null));
        return Task.CompletedTask;
    }

    // A session whose security stamp changed (password change, "sign out everywhere") ends on its next request.
    private static async Task RejectStaleSessionAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var stampType = context.HttpContext.RequestServices
            .GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType;
        var stamp = principal?.FindFirstValue(stampType);
        if (principal is not null && Guid.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id))
        {
            var db = context.HttpContext.RequestServices.GetRequiredService<SportelloDb>();
            var current = await db.Users.Where(u => u.Id == id).Select(u => u.SecurityStamp).FirstOrDefaultAsync();
            if (current is not null && current == stamp)
            {
                return;
            }
        }
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
    }
}
