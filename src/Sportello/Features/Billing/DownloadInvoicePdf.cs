namespace Sportello.Features.Billing;

public sealed record InvoicePdfFile(string FileName, byte[] Content);

/// <summary>An invoice or credit note as a PDF: a customer's own (another's is null, as if it did not exist), or any for admins.</summary>
public sealed class DownloadInvoicePdf(ReadInvoices read, InvoicePdf pdf)
{
    public async Task<InvoicePdfFile?> HandleAsync(Guid invoiceId, Guid? customerId, CancellationToken cancellationToken = default) =>
        await read.DetailAsync(invoiceId, customerId, cancellationToken) is { } invoice
            ? new InvoicePdfFile(InvoicePdf.FileName(invoice), pdf.Render(invoice))
            : null;
}
