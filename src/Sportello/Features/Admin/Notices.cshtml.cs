using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Notices;

namespace Sportello.Features.Admin;

/// <summary>Admins: every notice, and the form that previews and publishes a new one.</summary>
public sealed class NoticesModel(ReadNotices read, PublishNotice publish, CurrentUser current) : PageModel
{
    public sealed class InputModel
    {
        public string Kind { get; set; } = NoticeKinds.Maintenance;
        public string? TitleEn { get; set; }
        public string? TitleIt { get; set; }
        public string? BodyEn { get; set; }
        public string? BodyIt { get; set; }
        public string? StartsAt { get; set; }
        public string? EndsAt { get; set; }
        public string? TimeZone { get; set; }
        public List<string> Locations { get; set; } = [];
        public List<string> Products { get; set; } = [];
        public string? OrderNumbers { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public List<NoticeSummary> Notices { get; private set; } = [];
    public List<string> Locations { get; private set; } = [];
    public List<string> Products { get; private set; } = [];
    public NoticePreview? Preview { get; private set; }

    public async Task OnGetAsync()
    {
        Input.TimeZone = User.TimeZone();
        await LoadAsync();
    }

    public async Task<IActionResult> OnPostPreviewAsync()
    {
        var outcome = await publish.PreviewAsync(Draft(), HttpContext.RequestAborted);
        if (outcome.Value is { } preview)
        {
            Preview = preview;
        }
        else
        {
            outcome.Errors.CopyTo(this, "Input.", Field);
        }
        await LoadAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostPublishAsync()
    {
        var outcome = await publish.HandleAsync(current.Id, Draft(), HttpContext.RequestAborted);
        if (outcome.Value is { } notice)
        {
            return Redirect($"/admin/notices/{notice.Id}");
        }
        outcome.Errors.CopyTo(this, "Input.", Field);
        await LoadAsync();
        return Page();
    }

    private NoticeRequest Draft() => new(Input.Kind, new NoticeText(Input.TitleEn, Input.TitleIt), new NoticeText(Input.BodyEn, Input.BodyIt),
        Input.StartsAt, Input.EndsAt, Input.TimeZone,
        new NoticeAffects(Input.Locations, Input.Products, null,
            [.. (Input.OrderNumbers ?? "").Split([',', ' ', '\n', '\r', ';'], StringSplitOptions.RemoveEmptyEntries)]));

    // The API's fields, as this form names them.
    private static string Field(string name) => name switch
    {
        "title" => "titleEn",
        "body" => "bodyEn",
        "affects" or "affects.serviceIds" or "affects.orderNumbers" => "orderNumbers",
        "affects.locations" => "locations",
        "affects.products" => "products",
        _ => name,
    };

    private async Task LoadAsync()
    {
        Notices = await read.ListAsync(cancellationToken: HttpContext.RequestAborted);
        (Locations, Products) = await read.PlacesAsync(HttpContext.RequestAborted);
    }
}
