using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ChatPickup : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "PickupSeconds",
                table: "SlaPolicies",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.UpdateData(
                table: "SlaPolicies",
                keyColumns: new[] { "Channel", "Priority" },
                keyValues: new object[] { "chat", "high" },
                column: "PickupSeconds",
                value: 60);

            migrationBuilder.UpdateData(
                table: "SlaPolicies",
                keyColumns: new[] { "Channel", "Priority" },
                keyValues: new object[] { "chat", "normal" },
                column: "PickupSeconds",
                value: 60);

            migrationBuilder.UpdateData(
                table: "SlaPolicies",
                keyColumns: new[] { "Channel", "Priority" },
                keyValues: new object[] { "email", "high" },
                column: "PickupSeconds",
                value: null);

            migrationBuilder.UpdateData(
                table: "SlaPolicies",
                keyColumns: new[] { "Channel", "Priority" },
                keyValues: new object[] { "email", "normal" },
                column: "PickupSeconds",
                value: null);

            migrationBuilder.UpdateData(
                table: "SlaPolicies",
                keyColumns: new[] { "Channel", "Priority" },
                keyValues: new object[] { "web", "high" },
                column: "PickupSeconds",
                value: null);

            migrationBuilder.UpdateData(
                table: "SlaPolicies",
                keyColumns: new[] { "Channel", "Priority" },
                keyValues: new object[] { "web", "normal" },
                column: "PickupSeconds",
                value: null);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PickupSeconds",
                table: "SlaPolicies");
        }
    }
}
