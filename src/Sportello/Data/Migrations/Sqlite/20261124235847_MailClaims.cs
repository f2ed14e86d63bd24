using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MailClaims : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_InboundMessages_ProcessedAt",
                table: "InboundMessages",
                column: "ProcessedAt");

            migrationBuilder.CreateIndex(
                name: "IX_InboundMessages_Source_ReceivedAt",
                table: "InboundMessages",
                columns: new[] { "Source", "ReceivedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_InboundMessages_ProcessedAt",
                table: "InboundMessages");

            migrationBuilder.DropIndex(
                name: "IX_InboundMessages_Source_ReceivedAt",
                table: "InboundMessages");
        }
    }
}
