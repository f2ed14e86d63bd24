using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;

namespace Sportello.Features.Admin;

public sealed class AgentsModel(ListAgents listAgents, CreateAgent createAgent) : PageModel
{
    public sealed class InputModel
    {
        public string? Name { get; set; }
        public string? Email { get; set; }
        public List<string> Departments { get; set; } = [];
        public string? Password { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public List<AgentResponse> Agents { get; private set; } = [];
    public string? NextCursor { get; private set; }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        var outcome = await createAgent.HandleAsync(
            new CreateAgentRequest(Input.Email, Input.Name, Input.Password, Input.Departments), HttpContext.RequestAborted);
        if (outcome.Value is not null)
        {
            return RedirectToPage();
        }
        outcome.Errors.CopyTo(this, "Input.");
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        var page = Sportello.Web.Page.ForScreen(Cursor);
        var result = await listAgents.HandleAsync(page, HttpContext.RequestAborted);
        Agents = [.. result.Items.OrderBy(a => a.Name, StringComparer.CurrentCultureIgnoreCase)];
        NextCursor = result.NextCursor;
    }
}
