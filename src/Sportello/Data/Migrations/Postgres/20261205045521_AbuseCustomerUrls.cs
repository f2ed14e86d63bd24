using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class AbuseCustomerUrls : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CustomerUrls",
                table: "AbuseReports",
                type: "character varying(50000)",
                maxLength: 50000,
                nullable: false,
                defaultValue: "");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "CustomerUrls",
                table: "AbuseReports");
        }
    }
}
