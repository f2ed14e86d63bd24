using Microsoft.AspNetCore.Http.HttpResults;
using Sportello.Features.Accounts;
using Sportello.Web;

namespace Sportello.Features.Tickets;

/// <summary>How the ticket endpoints of both sides (customer and Desk) turn a use case's outcome into HTTP.</summary>
internal static class TicketResults
{
    public static Results<Created<MessageView>, ValidationProblem, NotFound> Message(Guid ticketId, Outcome<TicketMessage>? outcome) =>
        outcome is null ? TypedResults.NotFound()
        : outcome.Value is { } message ? TypedResults.Created($"/api/v1/tickets/{ticketId}", MessageView.From(message))
        : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());

    public static Results<Ok<TicketResponse>, ValidationProblem, NotFound> Ticket(Outcome<Ticket>? outcome, TimeProvider clock) =>
        outcome is null ? TypedResults.NotFound()
        : outcome.Value is { } ticket ? TypedResults.Ok(TicketResponse.From(ticket, clock.GetUtcNow().UtcDateTime))
        : TypedResults.ValidationProblem(outcome.Errors.ToDictionary());

    public static Results<Ok<TicketResponse>, NotFound> Detail(TicketResponse? detail) =>
        detail is null ? TypedResults.NotFound() : TypedResults.Ok(detail);

    /// <summary>A multipart upload to a ticket: whose ticket it is comes first (404 whatever was sent), then the form.</summary>
    public static async Task<IResult> UploadAsync(Guid ticketId, HttpContext http, CurrentUser current, AddAttachments addAttachments, bool asAgent)
    {
        var me = await current.LoadAsync(http.RequestAborted);
        if (!await addAttachments.MayUploadAsync(me, asAgent, ticketId, http.RequestAborted))
        {
            return TypedResults.NotFound();
        }
        // No multipart at all, one without a boundary, or a body that does not match it: 400 naming the field.
        if (await ReadFormAsync(http) is not { } form)
        {
            return NotMultipart();
        }
        var uploads = AddAttachments.From(form.Files.GetFiles("files"));
        var result = await addAttachments.HandleAsync(me, asAgent, ticketId, uploads, http.RequestAborted);
        if (result is null)
        {
            return TypedResults.NotFound();
        }
        if (result.Attachments is null)
        {
            return FilesRefused(result.Errors, result.TooLarge);
        }
        return TypedResults.Created($"/api/v1/tickets/{ticketId}",
            result.Attachments.Select(a => new AttachmentView(a.Id, a.FileName, a.ContentType, a.Size, a.Sha256)).ToList());
    }

    /// <summary>Files refused: 413 when about size, else 400, naming <c>files</c>.</summary>
    public static IResult FilesRefused(ValidationErrors errors, bool tooLarge) =>
        Results.ValidationProblem(errors.ToDictionary(),
            statusCode: tooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
            title: tooLarge ? "Files too large" : "One or more validation errors occurred.");

    public static IResult NotMultipart() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["files"] = ["Send the files as multipart/form-data parts named 'files'."] });

    /// <summary>The request's multipart form, or null when it is not one or is malformed (too large stays 413).</summary>
    public static async Task<IFormCollection?> ReadFormAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType)
        {
            return null;
        }
        try
        {
            return await http.Request.ReadFormAsync(http.RequestAborted);
        }
        // Too large stays 413 (BadRequestProblems answers it); everything else malformed is a 400 about files.
        catch (Exception ex) when (ex is InvalidDataException || (ex is BadHttpRequestException bad && bad.StatusCode != StatusCodes.Status413PayloadTooLarge))
        {
            return null;
        }
    }

    /// <summary>Serves a file as a download (or, for a recognised raster image asked inline, as a preview).</summary>
    public static IResult File(DownloadAttachment.File? file, bool inline, HttpContext http) =>
        file is null ? TypedResults.NotFound() : File(file.Attachment.FileName, file.Bytes, inline, http);

    /// <summary>Any stored file (a ticket's or a chat's): never active content, whatever its name or declared type.</summary>
    public static IResult File(string fileName, byte[] bytes, bool inline, HttpContext http)
    {
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        var image = ImageSniffer.PreviewType(bytes);
        if (inline && image is not null)
        {
            http.Response.Headers.ContentDisposition = "inline";
            return Results.File(bytes, image);
        }
        return Results.File(bytes, "application/octet-stream", fileName);
    }
}
