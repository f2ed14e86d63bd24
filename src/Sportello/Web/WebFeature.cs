using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Sportello.Features.Accounts;

namespace Sportello.Web;

public static class WebFeature
{
    public static WebApplicationBuilder AddWeb(this WebApplicationBuilder builder)
    {
        var limits = builder.Configuration.GetSection("Sportello:Limits").Get<LimitsOptions>() ?? new();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            k.AddServerHeader = false;
        });
        builder.Services.Configure<JsonOptions>(o =>
        {
            // An unknown field is a mistake the caller wants to hear about, not silently drop.
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            o.SerializerOptions.Converters.Add(new NoNulStrings());
        });
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestProblems>();
        builder.Services.AddExceptionHandler<StorageFullProblems>();
        builder.Services.AddLocalization();
        builder.Services.Configure<RequestLocalizationOptions>(Localization.Configure);
        builder.Services.AddRazorPages(o =>
        {
            o.RootDirectory = "/Features";
            o.Conventions.AuthorizeFolder("/Admin", Policies.Admin);
            o.Conventions.AuthorizeFolder("/Desk", Policies.Agent);
            // The Client Area is for customers: one rule for the folder, so a new page or handler cannot forget it.
            o.Conventions.AuthorizeFolder("/ClientArea", Policies.Customer);
            o.Conventions.AuthorizeFolder("/Accounts/Pages/Account");
            o.Conventions.Add(new PageHandlers.DeclaredOnly());
            o.Conventions.ConfigureFilter(new PageHandlers.KnownOnly());
        }).AddViewLocalization().AddDataAnnotationsLocalization(o =>
            o.DataAnnotationLocalizerProvider = (_, factory) => factory.Create(typeof(Text)));
        builder.AddForwardedHeaders();
        builder.Services.AddSingleton<SharedCounters>();
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "sportello.af";
            // Secure over HTTPS (at the node or a known balancer); the default sends it over plain HTTP too.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.HeaderName = "X-CSRF-TOKEN";
        });
        return builder;
    }

    public static WebApplication UseWeb(this WebApplication app)
    {
        // First: everything after it (limits, links, HSTS) sees the client's address and scheme, when a known proxy said so.
        // Only with a proxy named: with both lists empty, ASP.NET's middleware believes every sender.
        var forwarded = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ForwardedHeadersOptions>>().Value;
        if (forwarded.KnownProxies.Count > 0 || forwarded.KnownIPNetworks.Count > 0)
        {
            app.UseForwardedHeaders();
        }
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }
        app.UseSecurityHeaders();
        app.UseKnownCharsetsOnly();
        app.UseWhen(IsApi, api =>
        {
            api.UseExceptionHandler();
            api.UseStatusCodePages();
        });
        app.UseWhen(c => !IsApi(c), web =>
        {
            web.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = "/error",
                StatusCodeSelector = ex => ex is Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException ? StatusCodes.Status409Conflict
                    : Data.DatabaseUnavailable.IsCause(ex) || StorageFullProblems.Is(ex) ? StatusCodes.Status503ServiceUnavailable
                    : StatusCodes.Status500InternalServerError,
            });
            web.UseStatusCodePagesWithReExecute("/error/{0}");
        });
        app.UseStaticFiles();
        app.UseRouting();
        app.UseCors();
        app.UseAuthentication();
        app.UseRequestLocalization();
        app.UseAuthorization();
        return app;
    }

    private static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/api");
}
