using Microsoft.EntityFrameworkCore;
using Sportello.Data;
using Sportello.Web;

namespace Sportello.Features.Billing;

/// <summary>What invoices say of the buyer: <c>GET/PUT /account/billing</c>.</summary>
public sealed record BillingDetailsView(string? Company, string? Address, string? Country, string? VatId);

/// <summary>
/// A customer's billing details: company, postal address, country and VAT id. The country decides the VAT; an EU VAT
/// id is checked (format, and check digits where the state publishes them) and makes the customer a business. Issued
/// invoices keep their own copy: changing these changes only the next ones.
/// </summary>
public sealed class BillingDetails(SportelloDb db)
{
    public const int MaxAddress = 500;

    public async Task<BillingDetailsView?> GetAsync(Guid customerId, CancellationToken cancellationToken = default) =>
        await db.Users.AsNoTracking().Where(u => u.Id == customerId)
            .Select(u => new BillingDetailsView(u.Company, u.BillingAddress, u.Country, u.VatId)).FirstOrDefaultAsync(cancellationToken);

    public async Task<Outcome<BillingDetailsView>> SetAsync(Guid customerId, BillingDetailsView request, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        var company = Clean(request.Company);
        if (company?.Length > 200)
        {
            errors.Add("company", "company is at most {0} characters.", 200);
        }
        var address = Clean(request.Address);
        if (address?.Length > MaxAddress)
        {
            errors.Add("address", "address is at most {0} characters.", MaxAddress);
        }
        var country = Accounts.Countries.Normalize(request.Country);
        if (country is null)
        {
            errors.Add("country", string.IsNullOrWhiteSpace(request.Country) ? "country is required." : "country is not an assigned ISO 3166-1 alpha-2 code.");
        }
        var vatId = VatIds.ForCustomer(country, request.VatId, errors);
        if (errors.Any)
        {
            return Outcome<BillingDetailsView>.Invalid(errors);
        }
        await db.Users.Where(u => u.Id == customerId).ExecuteUpdateAsync(s => s.SetProperty(u => u.Company, company).SetProperty(u => u.BillingAddress, address)
            .SetProperty(u => u.Country, country).SetProperty(u => u.VatId, vatId), cancellationToken);
        return Outcome<BillingDetailsView>.Ok(new BillingDetailsView(company, address, country, vatId));
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
