using System.Text.Json;
using Microsoft.Playwright;
using Sportello.Tests.Infrastructure;

namespace Sportello.BrowserTests;

/// <summary>axe-core (WCAG 2 A and AA rules) in a page: one place for its script, its rule set and how violations read.</summary>
public static class Axe
{
    public static string ScriptPath
    {
        get
        {
            var path = Path.Combine(SportelloProcess.RepoRoot, "tests", "Sportello.BrowserTests", "node_modules", "axe-core", "axe.min.js");
            return File.Exists(path) ? path
                : throw new FileNotFoundException("axe-core is missing: run scripts/test, or npm ci --prefix tests/Sportello.BrowserTests", path);
        }
    }

    /// <summary>A fresh page for <paramref name="locale"/> at <paramref name="width"/> pixels; CSP bypassed, since axe is injected as a script the pages' own CSP would (rightly) refuse.</summary>
    public static async Task<IPage> PageAsync(BrowserApp app, string locale, int width = 1280)
    {
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseUrl, Locale = locale, ViewportSize = new ViewportSize { Width = width, Height = 900 }, BypassCSP = true,
        });
        return await context.NewPageAsync();
    }

    /// <summary>The violations on what the page shows now, one line each: rule, impact, help, the first three places.</summary>
    public static async Task<List<string>> ViolationsAsync(IPage page)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = ScriptPath });
        var violations = await page.EvaluateAsync<JsonElement>(
            "async () => (await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })).violations" +
            ".map(v => v.id + ' (' + v.impact + ') ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))");
        return [.. violations.EnumerateArray().Select(v => v.GetString()!)];
    }

    public static async Task AssertNoViolationsAsync(IPage page)
    {
        var found = await ViolationsAsync(page);
        Assert.True(found.Count == 0, $"{page.Url}:\n" + string.Join("\n", found));
    }
}
