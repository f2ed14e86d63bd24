using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sportello.Features.Accounts;
using Sportello.Features.Chat;
using Sportello.Web;

namespace Sportello.Features.Desk;

/// <summary>One chat on the console: the conversation, live, and what an agent does with it.</summary>
public sealed class ChatModel(
    CurrentUser current, ReadDeskChat read, AcceptChat accept, SendChatMessage send, TransferChat transfer, CloseChat close, EscalateChat escalate,
    AddChatAttachments attachments, CannedAnswers.SuggestCannedAnswers suggest, ChatAccess access)
    : PageModel
{
    public ReadDeskChat.View View { get; private set; } = null!;

    [BindProperty]
    public string? Body { get; set; }

    [BindProperty]
    public bool Internal { get; set; }

    [BindProperty]
    public List<IFormFile> Files { get; set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid chatId) => await LoadAsync(chatId) ? Page() : NotFound();

    /// <summary>Canned answers for what the agent types ("/" and a word, or any words), in the chat's language and for its department; JSON for the console's script.</summary>
    public async Task<IActionResult> OnGetSuggestionsAsync(Guid chatId, string? q) =>
        await access.StaffAsync(current.Id, chatId, HttpContext.RequestAborted) is { } chat
            ? new JsonResult(await suggest.HandleAsync(current.Id, q, chat.Language, chat.Department, HttpContext.RequestAborted))
            : NotFound();

    public async Task<IActionResult> OnPostAcceptAsync(Guid chatId) =>
        await ApplyAsync(chatId, me => accept.HandleAsync(me, chatId, HttpContext.RequestAborted));

    public async Task<IActionResult> OnPostAnswerAsync(Guid chatId) =>
        await ApplyAsync(chatId, me => send.AsAgentAsync(me, chatId, Body, Internal, HttpContext.RequestAborted));

    public async Task<IActionResult> OnPostFilesAsync(Guid chatId) =>
        await ApplyAsync(chatId, async me => await attachments.AsAgentAsync(me, chatId, Body, Tickets.AddAttachments.From(Files), HttpContext.RequestAborted) switch
        {
            null => null,
            { Message: { } message } => Outcome<ChatMessage>.Ok(message),
            var refused => Outcome<ChatMessage>.Invalid(refused.Errors),
        });

    public async Task<IActionResult> OnPostTransferAsync(Guid chatId, Guid? agentId, string? department, string? note) =>
        await ApplyAsync(chatId, me => transfer.HandleAsync(me, chatId, new TransferChatRequest(agentId, department, note), HttpContext.RequestAborted),
            leaves: true);

    public async Task<IActionResult> OnPostCloseAsync(Guid chatId) =>
        await ApplyAsync(chatId, me => close.AsAgentAsync(me, chatId, HttpContext.RequestAborted));

    public async Task<IActionResult> OnPostEscalateAsync(Guid chatId, string? department, string? priority, string? subject, Guid? serviceId,
        string? problemStartedAt) =>
        await ApplyAsync(chatId, me => escalate.HandleAsync(me, chatId,
            new EscalateChatRequest(department, priority, subject, serviceId, null, problemStartedAt, User.TimeZone()), HttpContext.RequestAborted));

    private async Task<IActionResult> ApplyAsync<T>(Guid chatId, Func<User, Task<Outcome<T>?>> action, bool leaves = false) where T : class
    {
        var me = await current.LoadAsync(HttpContext.RequestAborted);
        var outcome = await action(me);
        if (outcome is null)
        {
            return NotFound();
        }
        if (outcome.Value is null)
        {
            outcome.Errors.CopyTo(this);
            return await LoadAsync(chatId) ? Page() : NotFound();
        }
        // A chat passed to another department has left this agent's console.
        return leaves && !await LoadAsync(chatId) ? Redirect("/desk/chats") : Redirect($"/desk/chats/{chatId}");
    }

    private async Task<bool> LoadAsync(Guid chatId)
    {
        if (await read.HandleAsync(current.Id, chatId, HttpContext.RequestAborted) is not { } view)
        {
            return false;
        }
        View = view;
        return true;
    }
}
