using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class QueueRank : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_Status_Priority_DueAt",
                table: "Tickets");

            migrationBuilder.AddColumn<int>(
                name: "QueueRank",
                table: "Tickets",
                type: "integer",
                nullable: true);

            // Tickets already waiting on support take their place in the queue.
            migrationBuilder.Sql("UPDATE \"Tickets\" SET \"QueueRank\" = CASE WHEN \"Priority\" = 'high' THEN 0 ELSE 1 END " +
                "WHERE \"Status\" IN ('open', 'customer-reply') AND \"MergedIntoId\" IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_QueueRank_DueAt_CreatedAt",
                table: "Tickets",
                columns: new[] { "QueueRank", "DueAt", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_QueueRank_DueAt_CreatedAt",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "QueueRank",
                table: "Tickets");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_Status_Priority_DueAt",
                table: "Tickets",
                columns: new[] { "Status", "Priority", "DueAt" });
        }
    }
}
