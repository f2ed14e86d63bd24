using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Sportello.Features.Accounts;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> user)
    {
        user.Property(u => u.Name).HasMaxLength(200).IsRequired();
        user.Property(u => u.Company).HasMaxLength(200);
        user.Property(u => u.Country).HasMaxLength(2);
        user.Property(u => u.Language).HasMaxLength(5).IsRequired();
        user.Property(u => u.TimeZone).HasMaxLength(64).IsRequired();
        user.Property(u => u.VatId).HasMaxLength(32);
    }
}

internal sealed class AgentDepartmentConfiguration : IEntityTypeConfiguration<AgentDepartment>
{
    public void Configure(EntityTypeBuilder<AgentDepartment> department)
    {
        department.ToTable("AgentDepartments");
        department.HasKey(d => new { d.UserId, d.Department });
        department.Property(d => d.Department).HasMaxLength(32);
        department.HasOne<User>().WithMany().HasForeignKey(d => d.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RoleConfiguration : IEntityTypeConfiguration<Role>
{
    // Roles are part of the schema: every database has the same three, with stable ids.
    public void Configure(EntityTypeBuilder<Role> role) => role.HasData(
        Seed(Roles.CustomerRoleId, Roles.Customer),
        Seed(Roles.AgentRoleId, Roles.Agent),
        Seed(Roles.AdminRoleId, Roles.Admin));

    private static Role Seed(string id, string name) => new(name)
    {
        Id = Guid.Parse(id),
        NormalizedName = name.ToUpperInvariant(),
        ConcurrencyStamp = id,
    };
}
