using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;

namespace Sportello.Features.Admin;

public sealed class AgentsModel(SportelloDb db, CreateAgent createAgent) : PageModel
{
    public sealed class InputModel
    {
        public string? Name { get; set; }
        public string? Email { get; set; }
        public List<string> Departments { get; set; } = [];
        public string? Password { get; set; }
    }

    public sealed record AgentRow(string Name, string Email, List<string> Departments);

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public List<AgentRow> Agents { get; private set; } = [];

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
        var departments = await db.AgentDepartments.AsNoTracking().ToListAsync(HttpContext.RequestAborted);
        var ids = departments.Select(d => d.UserId).Distinct().ToList();
        var users = await db.Users.Where(u => ids.Contains(u.Id)).OrderBy(u => u.Name).AsNoTracking().ToListAsync(HttpContext.RequestAborted);
        Agents = users.Select(u => new AgentRow(u.Name, u.Email!,
            departments.Where(d => d.UserId == u.Id).Select(d => d.Department).Order(StringComparer.Ordinal).ToList())).ToList();
    }
}
