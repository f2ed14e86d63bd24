using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Features.Accounts;

namespace Sportello.Features.Desk;

public sealed class IndexModel(SportelloDb db) : PageModel
{
    public List<string> Departments { get; private set; } = [];

    public string DepartmentName(string key) => key == Accounts.Departments.Financial ? "Financial" : "Technical";

    public async Task OnGetAsync()
    {
        var me = User.UserId();
        Departments = await db.AgentDepartments.Where(d => d.UserId == me).Select(d => d.Department).OrderBy(d => d)
            .ToListAsync(HttpContext.RequestAborted);
    }
}
