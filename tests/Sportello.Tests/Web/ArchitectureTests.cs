using System.Reflection;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sportello.Tests.Infrastructure;

namespace Sportello.Tests.Web;

/// <summary>
/// The service layer, checked rather than hoped for (docs/architecture.md): pages and endpoints call use cases, and
/// the static <c>XxxApi</c> classes only map routes.
/// </summary>
public sealed class ArchitectureTests(SportelloApp app) : IClassFixture<SportelloApp>
{
    private static readonly Assembly Product = typeof(Program).Assembly;

    private static IEnumerable<Type> PageModels() =>
        Product.GetTypes().Where(t => t is { IsAbstract: false } && typeof(PageModel).IsAssignableFrom(t));

    [Fact]
    public void Pages_ReachDataOnlyThroughUseCases()
    {
        var pages = PageModels().ToList();
        Assert.True(pages.Count >= 20, $"only {pages.Count} page models found");
        var offenders = pages
            .SelectMany(p => p.GetConstructors().SelectMany(c => c.GetParameters()).Select(parameter => (Page: p, parameter.ParameterType)))
            .Where(x => typeof(DbContext).IsAssignableFrom(x.ParameterType))
            .Select(x => $"{x.Page.FullName} takes {x.ParameterType.Name}")
            .ToList();
        Assert.True(offenders.Count == 0, "Pages call use cases, never the database: " + string.Join("; ", offenders));
    }

    [Fact]
    public void ApiClasses_OnlyMapRoutes()
    {
        var apis = Product.GetTypes().Where(t => t.IsClass && t.Name.EndsWith("Api", StringComparison.Ordinal)).ToList();
        Assert.Contains(apis, t => t.Name == "TicketsApi");
        // Anything else callable from outside would make the class a service layer for pages again.
        var offenders = apis
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => !m.IsPrivate && !m.IsSpecialName)
                .Where(m => !(m.Name.StartsWith("Map", StringComparison.Ordinal) && m.IsStatic
                    && typeof(Microsoft.AspNetCore.Routing.IEndpointRouteBuilder).IsAssignableFrom(m.ReturnType)))
                .Select(m => $"{t.Name}.{m.Name}"))
            .ToList();
        Assert.True(offenders.Count == 0, "XxxApi classes only map routes: " + string.Join(", ", offenders));
    }

    [Fact]
    public void EveryPageDependency_IsRegistered()
    {
        // A use case a page asks for but nobody registered fails only when someone opens the page: catch it here.
        var known = app.Services.GetRequiredService<IServiceProviderIsService>();
        var missing = PageModels()
            .SelectMany(p => p.GetConstructors().SelectMany(c => c.GetParameters()).Select(parameter => (Page: p, Parameter: parameter)))
            .Where(x => x.Parameter.GetCustomAttribute<FromKeyedServicesAttribute>() is null && !known.IsService(x.Parameter.ParameterType))
            .Select(x => $"{x.Page.Name} needs {x.Parameter.ParameterType.Name}")
            .ToList();
        Assert.True(missing.Count == 0, string.Join("; ", missing));
    }
}
