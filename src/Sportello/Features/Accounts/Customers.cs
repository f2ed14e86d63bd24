using Sportello.Data;

namespace Sportello.Features.Accounts;

/// <summary>Who is a customer: a user in the customer role. Every list, lookup and count of customers asks here.</summary>
public static class Customers
{
    public static IQueryable<User> Query(SportelloDb db)
    {
        var customerRole = db.Roles.Where(r => r.Name == Roles.Customer).Select(r => r.Id);
        return db.Users.Where(u => db.UserRoles.Any(ur => ur.UserId == u.Id && customerRole.Contains(ur.RoleId)));
    }
}
