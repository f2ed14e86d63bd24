using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.CannedAnswers;

namespace Sportello.Features.Admin;

public sealed class CannedAnswersModel(ManageCannedAnswers manage) : PageModel
{
    public sealed class InputModel
    {
        public string? Title { get; set; }
        public string? Keywords { get; set; }
        public string? BodyEn { get; set; }
        public string? BodyIt { get; set; }
        public string? Department { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty]
    public Guid? EditId { get; set; }

    public List<CannedAnswer> Answers { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid? edit)
    {
        if (edit is { } id)
        {
            if (await manage.FindAsync(id, HttpContext.RequestAborted) is not { } answer)
            {
                return NotFound();
            }
            EditId = id;
            Input = new InputModel { Title = answer.Title, Keywords = answer.Keywords, BodyEn = answer.BodyEn, BodyIt = answer.BodyIt, Department = answer.Department };
        }
        Answers = await manage.ListAsync(HttpContext.RequestAborted);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync()
    {
        var request = new CannedAnswerRequest(Input.Title, Input.BodyEn, Input.BodyIt, [Input.Keywords ?? ""], Input.Department);
        var outcome = EditId is { } id ? await manage.ChangeAsync(id, request, HttpContext.RequestAborted) : await manage.AddAsync(request, HttpContext.RequestAborted);
        if (outcome is null)
        {
            return NotFound();
        }
        if (outcome.Value is not null)
        {
            return RedirectToPage();
        }
        outcome.Errors.CopyTo(this, "Input.");
        Answers = await manage.ListAsync(HttpContext.RequestAborted);
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync(Guid id) =>
        await manage.RemoveAsync(id, HttpContext.RequestAborted) ? RedirectToPage() : NotFound();
}
