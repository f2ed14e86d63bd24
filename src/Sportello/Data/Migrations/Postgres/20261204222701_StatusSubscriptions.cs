using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sportello.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class StatusSubscriptions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Subscribers",
                table: "NoticeUpdates",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "SubscribersAt",
                table: "NoticeUpdates",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "SubscribersUpTo",
                table: "NoticeUpdates",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "StatusSubscriptions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    Language = table.Column<string>(type: "character varying(5)", maxLength: 5, nullable: false),
                    Location = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Product = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ConfirmTokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    ConfirmExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ConfirmedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    UnsubscribeToken = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_StatusSubscriptions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_NoticeUpdates_SubscribersAt",
                table: "NoticeUpdates",
                column: "SubscribersAt");

            migrationBuilder.CreateIndex(
                name: "IX_StatusSubscriptions_ConfirmTokenHash",
                table: "StatusSubscriptions",
                column: "ConfirmTokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StatusSubscriptions_Email_Location_Product",
                table: "StatusSubscriptions",
                columns: new[] { "Email", "Location", "Product" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_StatusSubscriptions_UnsubscribeToken",
                table: "StatusSubscriptions",
                column: "UnsubscribeToken",
                unique: true);
            // Updates from before subscriptions existed are not mailed to the first subscribers.
            migrationBuilder.Sql("UPDATE \"NoticeUpdates\" SET \"SubscribersAt\" = \"CreatedAt\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "StatusSubscriptions");

            migrationBuilder.DropIndex(
                name: "IX_NoticeUpdates_SubscribersAt",
                table: "NoticeUpdates");

            migrationBuilder.DropColumn(
                name: "Subscribers",
                table: "NoticeUpdates");

            migrationBuilder.DropColumn(
                name: "SubscribersAt",
                table: "NoticeUpdates");

            migrationBuilder.DropColumn(
                name: "SubscribersUpTo",
                table: "NoticeUpdates");
        }
    }
}
