using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ScaleIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_QueueRank_DueAt_CreatedAt",
                table: "Tickets");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_AtRiskDueAt_Unmarked",
                table: "Tickets",
                column: "AtRiskDueAt",
                filter: "\"AtRiskDueAt\" IS NOT NULL AND \"AtRiskAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_CustomerId_Id",
                table: "Tickets",
                columns: new[] { "CustomerId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_DueAt_Unbreached",
                table: "Tickets",
                column: "DueAt",
                filter: "\"DueAt\" IS NOT NULL AND \"BreachedAt\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_QueueRank_DueAt_CreatedAt_Id",
                table: "Tickets",
                columns: new[] { "QueueRank", "DueAt", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_SlaReport",
                table: "Tickets",
                columns: new[] { "CreatedAt", "MergedIntoId", "Department", "Priority", "Channel", "FirstResponseDueAt", "FirstRespondedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_AtRiskDueAt_Unmarked",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_CustomerId_Id",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_DueAt_Unbreached",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_QueueRank_DueAt_CreatedAt_Id",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_SlaReport",
                table: "Tickets");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_QueueRank_DueAt_CreatedAt",
                table: "Tickets",
                columns: new[] { "QueueRank", "DueAt", "CreatedAt" });
        }
    }
}
